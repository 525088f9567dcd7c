"""Deleting flow runs and everything that hangs off them, by id, in one statement per table.

`flow_runs_delete` is the one write path: the API's DELETE and bulk_delete, deleting a flow,
and `delete_flow_runs` (through `flow_runs_delete_matching`) all go through it.

Django's cascade collector loads every related row into memory before deleting; with millions
of states and logs that is unusable, so the children are deleted by the batch's run ids
directly; logs go through the hooks in `services.deletion`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import Q

from access.models import DeletionRecord
from access.services import deletion_record
from flowruns.models import (
    DeploymentConcurrencyLease,
    FlowRun,
    FlowRunInput,
    FlowRunState,
    TaskRun,
    TaskRunState,
)
from flowruns.selectors.keyset import keyset_batches

from .deletion import BatchCallback, DeletionSummary, delete_flow_run_children, raw_delete


def flow_runs_delete(*, ids: Sequence[UUID], where: Q | None = None) -> dict[UUID, str | None]:
    """Delete these runs with their states, inputs, task runs (and states), leases and logs.

    The runs are locked once (`SELECT ... FOR UPDATE`, in id order) and, when `where` is given,
    re-checked against it under the lock, so a run that changed since it was selected (e.g.
    was rescheduled) is left alone. Subflows of the deleted runs' task runs are kept, with
    `parent_task_run` cleared. Returns the deleted runs' state types by id.
    """
    if not ids:
        return {}
    with transaction.atomic():
        locked = FlowRun.objects.select_for_update().filter(id__in=list(ids))
        if where is not None:
            locked = locked.filter(where)
        runs: dict[UUID, str | None] = dict(locked.order_by("id").values_list("id", "state_type"))
        if runs:
            _delete_locked(list(runs))
    return runs


def flow_runs_delete_by_ids(run_ids: Sequence[UUID]) -> list[UUID]:
    """`flow_runs_delete` without a re-check: the ids that existed and were deleted."""
    return list(flow_runs_delete(ids=run_ids))


def _delete_locked(ids: list[UUID]) -> None:
    task_run_ids = list(TaskRun.objects.filter(flow_run_id__in=ids).values_list("id", flat=True))
    # Foreign keys are checked at commit (Django creates them DEFERRABLE INITIALLY DEFERRED on
    # PostgreSQL and SQLite), so rows that point at each other inside the batch (a run and its
    # current state) are simply deleted together, without first rewriting every run to clear
    # its pointers.
    if task_run_ids:
        # Subflows outside the batch outlive the task run that wrapped them.
        FlowRun.objects.filter(parent_task_run_id__in=task_run_ids).exclude(id__in=ids).update(
            parent_task_run=None
        )
        raw_delete(TaskRunState.objects.filter(task_run_id__in=task_run_ids))
        raw_delete(TaskRun.objects.filter(id__in=task_run_ids))
    raw_delete(DeploymentConcurrencyLease.objects.filter(flow_run_id__in=ids))
    raw_delete(FlowRunInput.objects.filter(flow_run_id__in=ids))
    raw_delete(FlowRunState.objects.filter(flow_run_id__in=ids))
    delete_flow_run_children(ids)
    raw_delete(FlowRun.objects.filter(id__in=ids))
    deletion_record(kind=DeletionRecord.Kind.FLOW_RUN, object_ids=ids)


def flow_runs_delete_matching(
    *, where: Q, batch_size: int = 1000, on_batch: BatchCallback | None = None
) -> DeletionSummary:
    """Delete every run matching `where` (`flow_runs_delete`), one batch per transaction.

    The selection is walked by keyset on id, so the API keeps serving between batches, an
    interrupted deletion loses at most the batch in flight (rolled back), and running again
    simply continues with what is left. `on_batch` sees the summary after every batch.
    """
    summary = DeletionSummary()
    candidates = FlowRun.objects.filter(where)
    for batch in keyset_batches(candidates, keys=("id",), batch_size=batch_size):
        began = time.monotonic()
        deleted = flow_runs_delete(ids=[row[0] for row in batch], where=where)
        summary.batch_took(time.monotonic() - began)
        summary.deleted += len(deleted)
        summary.by_state_type.update(state_type or "(none)" for state_type in deleted.values())
        if on_batch is not None:
            on_batch(summary)
    return summary
