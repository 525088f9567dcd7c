"""Task runs for responses: one by id, and filtered, sorted pages."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q, QuerySet

from flowruns.filters.sorting import TaskRunSort, task_run_ordering
from flowruns.models import TaskRun, TaskRunState


def task_runs_for_response() -> QuerySet[TaskRun]:
    """Everything a TaskRun response reads, in one query."""
    return TaskRun.objects.select_related("state")


def task_run_get(task_run_id: UUID) -> TaskRun | None:
    return task_runs_for_response().filter(pk=task_run_id).first()


def task_runs_page(*, where: Q, sort: TaskRunSort, limit: int, offset: int) -> list[TaskRun]:
    if limit == 0:
        return []
    queryset = task_runs_for_response().filter(where).order_by(*task_run_ordering(sort))
    return list(queryset[offset : offset + limit])


def task_runs_count(*, where: Q) -> int:
    return TaskRun.objects.filter(where).count()


def task_run_states(task_run_id: UUID) -> QuerySet[TaskRunState]:
    """A task run's state history, oldest first (served by the unique (task_run, timestamp)
    index)."""
    return TaskRunState.objects.filter(task_run_id=task_run_id).order_by("timestamp")
