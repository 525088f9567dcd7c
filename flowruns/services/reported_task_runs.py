"""Task runs a client orchestrated itself and reported as events (spec/events.md §6.2-6.4).

The event recorder (`events.recorder`) turns each `prefect.task-run.*` event into a
`TaskRunReport`; `task_run_record_report` upserts the task run and writes the state through
the one state write (`services.state_writes`). No policy runs: the client has decided, and
the server only keeps the newest report current.

* The row is found by the natural key `(flow_run_id, task_key, dynamic_key)` (with a NULL
  flow run: `(task_key, dynamic_key)` among task runs outside any flow run, our partial unique
  index) or by id, and locked; an existing row keeps its id and the state is attached to it.
* Two reports of a new task run racing to insert it are settled by the unique indexes: the
  loser's insert fails in a savepoint, and it carries on with the winner's row.
* Newer wins: the row's columns and state pointer change only when the report's state is
  strictly newer than the row's (`state_timestamp` NULL counts as older). The state row is
  written either way, unless its id, or the run's `(task_run, timestamp)`, is taken already
  (a resend): then nothing is written.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from flowruns.models import FlowRun, TaskRun
from flowruns.naming import random_run_name
from orchestration.states import State

from .run_kinds import TASK_RUNS
from .state_writes import run_record_state

# Columns a report never changes on an existing row: they are how the row was found.
KEY_COLUMNS = frozenset({"task_key", "dynamic_key"})


class Recorded(StrEnum):
    RECORDED = "recorded"  # the state row was written (the run made current or not)
    DUPLICATE = "duplicate"  # its state row existed already: nothing was written
    FLOW_RUN_MISSING = "flow_run_missing"  # no such flow run (yet): nothing was written


@dataclass(frozen=True)
class TaskRunReport:
    task_run_id: UUID
    flow_run_id: UUID | None
    task_key: str
    dynamic_key: str
    # Column values in their stored form, only for the keys the client sent.
    fields: Mapping[str, Any]
    # The reported state: id = the event's id, timestamp = the event's `occurred`.
    state: State


def task_run_record_report(
    report: TaskRunReport, *, held_flow_runs: Collection[UUID] | None = None
) -> Recorded:
    """Upsert the reported task run and write its state, in the caller's transaction.

    `held_flow_runs`: what `flow_runs_hold` returned for a batch of reports that includes
    this one (in this transaction), so the flow run is not looked up and locked again."""
    if report.flow_run_id is not None:
        if held_flow_runs is None:
            held = _flow_run_held(report.flow_run_id)
        else:
            held = report.flow_run_id in held_flow_runs
        if not held:
            return Recorded.FLOW_RUN_MISSING
    run = _locked(report)
    created = False
    if run is None:
        run, created = _insert(report)
    newer = created or run.state_timestamp is None or run.state_timestamp < report.state.timestamp
    updates = {k: v for k, v in report.fields.items() if k not in KEY_COLUMNS}
    state = report.state.with_details(task_run_id=run.pk, flow_run_id=run.flow_run_id)
    wrote = run_record_state(
        TASK_RUNS, run, state, make_current=newer, run_updates={} if created else updates
    )
    return Recorded.RECORDED if wrote else Recorded.DUPLICATE


def _locked(report: TaskRunReport) -> TaskRun | None:
    """The existing row under the natural key (preferred) or the id, locked. Rows are locked
    in id order, so two reports matching the same two rows cannot deadlock."""
    natural = Q(task_key=report.task_key, dynamic_key=report.dynamic_key)
    if report.flow_run_id is None:
        natural &= Q(flow_run__isnull=True)
    else:
        natural &= Q(flow_run_id=report.flow_run_id)
    rows = list(
        TaskRun.objects.select_for_update()
        .filter(natural | Q(pk=report.task_run_id))
        .order_by("id")
    )
    for row in rows:
        if (row.flow_run_id, row.task_key, row.dynamic_key) == (
            report.flow_run_id,
            report.task_key,
            report.dynamic_key,
        ):
            return row
    return rows[0] if rows else None


def _flow_run_held(flow_run_id: UUID) -> bool:
    """Whether the flow run exists. On PostgreSQL it is also locked FOR KEY SHARE until
    commit, before the task run is locked (the order deletion and orchestration take them
    in: flow run, then its task runs). Foreign keys are checked only at commit (Django makes
    them DEFERRABLE INITIALLY DEFERRED): without the lock, a deletion of the flow run racing
    this transaction would fail at commit, whichever commits second — this one over a new
    task run, or the deletion over a state row it could not see yet. KEY SHARE blocks only
    deletes and FOR UPDATE; reports of the same flow run share it."""
    if connection.vendor != "postgresql":
        return FlowRun.objects.filter(pk=flow_run_id).exists()
    table = connection.ops.quote_name(FlowRun._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [flow_run_id])
        return cursor.fetchone() is not None


def flow_runs_hold(flow_run_ids: Iterable[UUID]) -> set[UUID]:
    """The flow runs among these that exist, each held as `_flow_run_held` holds one (FOR
    KEY SHARE until commit on PostgreSQL, taken in id order), in one query: a batch of
    reports locks each of its flow runs once instead of once per report."""
    wanted = sorted(set(flow_run_ids))
    if not wanted:
        return set()
    if connection.vendor != "postgresql":
        return set(FlowRun.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    table = connection.ops.quote_name(FlowRun._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE", [wanted]
        )
        return {row[0] for row in cursor.fetchall()}


def _insert(report: TaskRunReport) -> tuple[TaskRun, bool]:
    """Insert the task run from the report: `(run, True)`; or, when a concurrent report
    inserted it first, that row, locked: `(row, False)`."""
    run = TaskRun(id=report.task_run_id, flow_run_id=report.flow_run_id, **report.fields)
    run.task_key, run.dynamic_key = report.task_key, report.dynamic_key
    if not run.name:
        run.name = random_run_name()
    try:
        with transaction.atomic():
            run.save(force_insert=True)
    except IntegrityError:
        winner = _locked(report)
        if winner is None:
            raise
        return winner, False
    return run, True
