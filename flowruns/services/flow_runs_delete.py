"""Deleting flow runs and everything that hangs off them, by id, in one statement per table.

Django's cascade collector loads every related row into memory before deleting; with millions
of states and logs that is unusable, so the children are deleted by the batch's run ids
directly; logs go through the hooks in `services.deletion`.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db import transaction

from flowruns.models import (
    DeploymentConcurrencyLease,
    FlowRun,
    FlowRunInput,
    FlowRunState,
    TaskRun,
    TaskRunState,
)

from .deletion import delete_flow_run_children, raw_delete


def flow_runs_delete_by_ids(run_ids: Sequence[UUID]) -> list[UUID]:
    """Delete these runs with their states, inputs, task runs (and states), leases and logs.

    Subflows of the deleted runs' task runs are kept, with `parent_task_run` cleared.
    Returns the ids that existed and were deleted.
    """
    if not run_ids:
        return []
    with transaction.atomic():
        ids = list(
            FlowRun.objects.select_for_update()
            .filter(id__in=list(run_ids))
            .values_list("id", flat=True)
        )
        if not ids:
            return []
        task_run_ids = list(
            TaskRun.objects.filter(flow_run_id__in=ids).values_list("id", flat=True)
        )
        # Foreign keys are checked at commit (Django creates them DEFERRABLE INITIALLY
        # DEFERRED on PostgreSQL and SQLite), so rows that point at each other inside the
        # batch (a run and its current state) are simply deleted together, without first
        # rewriting every run to clear its pointers.
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
    return ids
