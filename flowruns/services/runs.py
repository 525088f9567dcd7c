"""What creating a flow run and creating a task run share: insert the row once, then write
its initial state under the force policy (spec §8.4), in one transaction. On PostgreSQL a run
without an idempotency check is inserted together with its first state, in one statement."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, connections, models, router, transaction

from flowruns.errors import IntegrityConflict

from .orchestrating import run_orchestrate_locked
from .orchestration_types import OrchestrationCall, StateProposal
from .row_writes import row_insert, row_insert_defer, row_insert_deferred
from .run_kinds import RunKind

RunT = TypeVar("RunT", bound=models.Model)


def run_insert(
    kind: RunKind,
    *,
    run: RunT,
    existing: Callable[[], RunT | None] | None,
    state: StateProposal,
    call: OrchestrationCall,
    inserted: Callable[[RunT], object] | None = None,
) -> tuple[RunT, bool]:
    """Insert `run` and write its initial state: `(run, True)`; then `inserted(run)`, in the
    same transaction (the kind's listeners of new runs).

    `existing` finds the run the new one would duplicate (same idempotency key, same task
    keys); when it finds one, that run is returned unchanged: `(other, False)`. Concurrent
    inserts of one key are settled by the unique constraint: the loser's insert fails inside
    a savepoint and it returns the winner's row, committed by then. Without `existing` the
    insert is plain. A caller that must survive a failed insert in its own transaction
    wraps the call in its own savepoint.
    """
    # No savepoint of its own inside a caller's transaction (two round trips saved on every
    # run created by the API): a failure here fails the caller's transaction whole.
    with transaction.atomic(savepoint=False):
        if existing is None:
            if connections[router.db_for_write(type(run))].vendor == "postgresql":
                row_insert_defer(run)  # inserted with its first state, in one statement
            else:
                row_insert(run)
        else:
            other = existing()
            if other is not None:
                return other, False
            try:
                with transaction.atomic():
                    row_insert(run)
            except IntegrityError as exc:
                other = existing()
                if other is None:
                    raise IntegrityConflict() from exc  # e.g. the client's id is already taken
                return other, False
        run_orchestrate_locked(kind, run, state, force=True, call=call)
        if row_insert_deferred(run):  # no state was written (a policy that rejects)
            row_insert(run)
        if inserted is not None:
            inserted(run)
    return run, True
