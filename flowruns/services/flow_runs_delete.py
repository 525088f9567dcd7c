"""Deleting flow runs and everything that hangs off them, by id, in one statement per table.

Django's cascade collector loads every related row into memory before deleting; with millions
of states and logs that is unusable, so the children are deleted by the batch's run ids
directly. Logs live in `logs_app`, which depends on this app (not the reverse): it registers a
deleter with `register_run_children_deleter` at startup, and every run deletion calls it with
the batch's ids — never hunting for orphans over the whole log table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
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

RunChildrenDeleter = Callable[[list[UUID]], object]
_extra_deleters: list[RunChildrenDeleter] = []


def register_run_children_deleter(deleter: RunChildrenDeleter) -> None:
    """Have `deleter(run_ids)` called inside every run-deleting transaction."""
    if deleter not in _extra_deleters:
        _extra_deleters.append(deleter)


def _raw_delete(queryset: Any) -> int:
    # One DELETE ... WHERE, no collector: every referencing row is handled explicitly above.
    return int(queryset._raw_delete(queryset.db))


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
        if task_run_ids:
            FlowRun.objects.filter(parent_task_run_id__in=task_run_ids).exclude(id__in=ids).update(
                parent_task_run=None
            )
            _raw_delete(TaskRunState.objects.filter(task_run_id__in=task_run_ids))
            FlowRun.objects.filter(id__in=ids).update(parent_task_run=None)
            _raw_delete(TaskRun.objects.filter(id__in=task_run_ids))
        _raw_delete(DeploymentConcurrencyLease.objects.filter(flow_run_id__in=ids))
        _raw_delete(FlowRunInput.objects.filter(flow_run_id__in=ids))
        FlowRun.objects.filter(id__in=ids).update(state=None)
        _raw_delete(FlowRunState.objects.filter(flow_run_id__in=ids))
        for deleter in _extra_deleters:
            deleter(ids)
        _raw_delete(FlowRun.objects.filter(id__in=ids))
    return ids
