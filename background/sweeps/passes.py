"""What every sweep does the same way (spec/services.md §1).

A pass scans its candidates in keyset-paged batches of `BATCH` rows, reading ids only (no lock,
one short statement per page), then changes each run in a transaction of its own: claim the row
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so a run a worker or another sweeper is changing right
now is passed over instead of waited for), re-read it with its current state under the lock
(`run_lock`), re-check the selection, and only then propose through the one write path. A run
that raises is logged, counted as failed, and the pass goes on. A backlog of any size is thus
worked through page after page without ever holding more than one run's lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from flowruns.services.orchestrating import run_lock
from flowruns.services.orchestration_types import SetStateOutcome
from flowruns.services.run_kinds import RunKind

from ..sweep import SweepResult

logger = logging.getLogger("background.sweeps")

BATCH = 200

# A page after the cursor: the last row of the previous page (None for the first page).
Page = Callable[[Any], Sequence[Any]]


def pages(page: Page) -> Iterator[Sequence[Any]]:
    """Every page `page(cursor)` gives, until a short one."""
    cursor = None
    while True:
        rows = page(cursor)
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        cursor = rows[-1]


def after_id(rows: QuerySet[Any], cursor: UUID | None) -> QuerySet[Any]:
    """The page of `rows` after `cursor`, by id."""
    if cursor is not None:
        rows = rows.filter(id__gt=cursor)
    return rows.order_by("id")


def after_key(rows: QuerySet[Any], field: str, cursor: tuple[datetime, UUID] | None) -> Any:
    """The page of `rows` after `cursor` by (`field`, id). `field >= value` bounds an index
    range scan; the OR only filters the rows sharing the cursor's value."""
    if cursor is not None:
        value, last_id = cursor
        rows = rows.filter(
            Q(**{f"{field}__gt": value}) | Q(id__gt=last_id), **{f"{field}__gte": value}
        )
    return rows.order_by(field, "id")


def run_claim(kind: RunKind, run_id: UUID) -> Any:
    """The run locked, with its current state; None when it is gone or (PostgreSQL) someone
    else holds its lock right now: it is looked at again on the next pass."""
    if connection.vendor == "postgresql":
        runs = kind.run_model._default_manager.select_for_update(skip_locked=True)
        if not list(runs.filter(pk=run_id).values_list("pk", flat=True)):
            return None
    return run_lock(kind, run_id)


# Given the locked run: a note when it changed it, None when the run no longer qualifies.
Act = Callable[[Any], str | None]


def runs_each(result: SweepResult, kind: RunKind, run_ids: Sequence[UUID], act: Act) -> None:
    """`act` on each run in its own transaction; count what changed and what failed."""
    for run_id in run_ids:
        result.examined += 1
        try:
            with transaction.atomic():
                run = run_claim(kind, run_id)
                note = act(run) if run is not None else None
        except Exception as error:
            logger.exception("%s %s: the sweep could not change it", kind.label, run_id)
            result.failed += 1
            result.note(f"{run_id}: failed: {type(error).__name__}: {error}")
            continue
        if note is not None:
            result.changed += 1
            result.note(f"{run_id}: {note}")


def outcome_note(outcome: SetStateOutcome) -> str | None:
    """What a proposal did, for the notes; None when nothing was written."""
    if not outcome.written or outcome.state is None:
        return None
    state = outcome.state
    note = f"{state.type.value} {state.name!r}"
    return note if outcome.status == "ACCEPT" else f"{note} ({outcome.status}: {outcome.reason})"
