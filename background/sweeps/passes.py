"""What every sweep does the same way (spec/services.md §1).

A pass scans its candidates in keyset-paged batches of `BATCH` rows, reading ids only (no lock,
one short statement per page), then changes each run in a transaction of its own through the
write path's `*_set_state_if`: lock the row (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so a run a
worker or another sweeper is changing right now is passed over instead of waited for), re-check
the selection on the run as it is under the lock, and only then propose. A run that raises is
logged, counted as failed, and the pass goes on. A backlog of any size is thus
worked through page after page without ever holding more than one run's lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from flowruns.services.orchestration_types import SetStateOutcome

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


# Proposes for one run (through `flow_run_set_state_if` / `task_run_set_state_if`, which skip
# a busy run and re-check it under its lock); None when nothing was proposed.
Propose = Callable[[UUID], SetStateOutcome | None]


def runs_each(result: SweepResult, run_ids: Sequence[UUID], propose: Propose) -> None:
    """`propose` for each run (its own transaction); count what changed and what failed."""
    for run_id in run_ids:
        result.examined += 1
        try:
            note = outcome_note(propose(run_id))
        except Exception as error:
            logger.exception("run %s: the sweep could not change it", run_id)
            result.failed += 1
            result.note(f"{run_id}: failed: {type(error).__name__}: {error}")
            continue
        if note is not None:
            result.changed += 1
            result.note(f"{run_id}: {note}")


def outcome_note(outcome: SetStateOutcome | None) -> str | None:
    """What a proposal did, for the notes; None when nothing was written."""
    if outcome is None or not outcome.written or outcome.state is None:
        return None
    state = outcome.state
    note = f"{state.type.value} {state.name!r}"
    return note if outcome.status == "ACCEPT" else f"{note} ({outcome.status}: {outcome.reason})"
