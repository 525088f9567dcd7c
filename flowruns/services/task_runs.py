"""Creating, renaming and deleting task runs. State changes go through `services.states`
only."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from django.db import transaction

from access.models import DeletionRecord
from access.services import deletion_record
from flowruns.errors import IntegrityConflict
from flowruns.models import FlowRun, TaskRun, TaskRunState
from flowruns.naming import random_run_name

from .deletion import delete_task_run_children, raw_delete
from .orchestration_types import OrchestrationCall, StateProposal
from .run_kinds import TASK_RUNS
from .runs import run_insert


def _labels(flow_run: FlowRun | None, user_labels: dict[str, Any] | None) -> dict[str, Any]:
    """The flow run's labels, then the system label, then the client's own (each wins over the
    one before)."""
    if flow_run is None:
        return dict(user_labels or {})
    system = {"prefect.flow-run.id": str(flow_run.pk)}
    return {**(flow_run.labels or {}), **system, **(user_labels or {})}


def _same_keys(flow_run_id: UUID | None, task_key: str, dynamic_key: str) -> TaskRun | None:
    runs = TaskRun.objects.filter(task_key=task_key, dynamic_key=dynamic_key)
    if flow_run_id is None:
        return runs.filter(flow_run__isnull=True).first()
    return runs.filter(flow_run_id=flow_run_id).first()


def task_run_create(
    *,
    flow_run_id: UUID | None,
    task_key: str,
    dynamic_key: str,
    fields: dict[str, Any],
    state: StateProposal,
    call: OrchestrationCall,
) -> tuple[TaskRun, bool]:
    """Create a task run and write its initial state under the force policy: `(run, created)`.

    A task run is identified by `(flow_run_id, task_key, dynamic_key)`: when one exists it is
    returned unchanged, and concurrent creates of one key are settled by the unique constraint
    (see `run_insert`). Task runs outside any flow run have no constraint to lean on (NULLs
    never collide), so for them the check is best-effort, as in Prefect.
    """
    flow_run = None
    if flow_run_id is not None:
        flow_run = FlowRun.objects.filter(pk=flow_run_id).only("id", "labels").first()
        if flow_run is None:
            raise IntegrityConflict()
    if fields.get("id") is None:
        fields.pop("id", None)  # the model's default mints one
    run = TaskRun(
        flow_run=flow_run,
        task_key=task_key,
        dynamic_key=dynamic_key,
        labels=_labels(flow_run, fields.pop("labels", None)),
        **fields,
    )
    if not run.name:
        run.name = random_run_name()
    existing = partial(_same_keys, flow_run_id, task_key, dynamic_key)
    return run_insert(TASK_RUNS, run=run, existing=existing, state=state, call=call)


def task_run_update(*, task_run: TaskRun, changes: dict[str, Any]) -> None:
    """Only `name` can change; null or empty means a fresh random name."""
    if "name" not in changes:
        return
    task_run.name = changes["name"] or random_run_name()
    task_run.save(update_fields=["name"])


def task_run_delete(*, task_run_id: UUID) -> bool:
    """Delete a task run with its states and logs; subflows it wraps are kept, unlinked.
    False when there was no such task run."""
    with transaction.atomic():
        found = list(
            TaskRun.objects.select_for_update().filter(pk=task_run_id).values_list("id", flat=True)
        )
        if not found:
            return False
        FlowRun.objects.filter(parent_task_run_id=task_run_id).update(parent_task_run=None)
        raw_delete(TaskRunState.objects.filter(task_run_id=task_run_id))
        raw_delete(TaskRun.objects.filter(pk=task_run_id))
        delete_task_run_children([task_run_id])
        deletion_record(kind=DeletionRecord.Kind.TASK_RUN, object_ids=[task_run_id])
    return True
