"""Writing deployments: create-or-upsert, PATCH, pause/resume, delete (spec §4, §5, §7, §10).

Every write runs under the deployment's write lock (`locking`), deletes the runs its change
invalidates first (see `cleanup`), then writes the row and its schedules; the scheduler fills
the deployment again right after the commit (`scheduling.schedule_on_commit`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from flowruns.errors import IntegrityConflict
from flowruns.models import Deployment, Flow, WorkQueue

from .cleanup import scheduled_runs_delete
from .locking import deployment_lock
from .schedules import schedules_replace
from .scheduling import schedule_on_commit

# Stored `{}` / `[]` when a create does not send them (spec §1).
CREATE_DEFAULTS: dict[str, Any] = {"parameter_openapi_schema": {}, "pull_steps": []}


def _labels(flow: Flow, labels: dict[str, Any] | None) -> dict[str, Any]:
    return {**(flow.labels or {}), "prefect.flow.id": str(flow.id), **(labels or {})}


def _apply(deployment: Deployment, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(deployment, name, value)
    if "concurrency_options" in fields:
        options = fields["concurrency_options"] or {}
        strategy = options.get("collision_strategy") or Deployment.CollisionStrategy.ENQUEUE
        deployment.collision_strategy = strategy


def deployment_upsert(
    *,
    flow_id: UUID,
    name: str,
    fields: dict[str, Any],
    labels: dict[str, Any] | None,
    schedules: list[dict[str, Any]],
    queue: WorkQueue | None,
    updated_by: dict[str, Any] | None = None,
) -> tuple[Deployment, bool]:
    """Create the deployment (flow, name), or update the present `fields` of the existing
    one; labels are recomputed and schedules replaced either way (spec §4.3). Returns
    `(deployment, created)`."""
    flow = Flow.objects.filter(pk=flow_id).first()
    if flow is None:
        raise IntegrityConflict()
    now = timezone.now()
    with transaction.atomic():
        deployment = Deployment.objects.filter(flow=flow, name=name).first()
        created = False
        if deployment is None:
            deployment = Deployment(flow=flow, name=name, created_by=updated_by)
            _apply(deployment, {**CREATE_DEFAULTS, **fields})
            deployment.labels = _labels(flow, labels)
            deployment.work_queue = queue
            if queue is not None:
                deployment.work_queue_name = queue.name
            try:
                with transaction.atomic():
                    deployment.save(force_insert=True)
                created = True
            except IntegrityError:  # a concurrent create won: update that row instead
                deployment = Deployment.objects.get(flow=flow, name=name)
        deployment_lock(deployment.id)
        if not created:
            scheduled_runs_delete(deployment_id=deployment.id, after=now)
            deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
            _apply(deployment, fields)
            deployment.labels = _labels(flow, labels)
            if queue is not None:
                deployment.work_queue = queue
                deployment.work_queue_name = queue.name
            deployment.updated_by = updated_by
            deployment.save()
        schedules_replace(deployment=deployment, schedules=schedules)
        schedule_on_commit(deployment.id, now)
    return deployment, created


def deployment_update(
    *,
    deployment_id: UUID,
    fields: dict[str, Any],
    queue: WorkQueue | None = None,
    clear_queue: bool = False,
    schedule_changes: Any = None,
    updated_by: dict[str, Any] | None = None,
) -> None:
    """PATCH (spec §5): write the present fields, (re)link or clear the queue, delete the
    future auto-scheduled runs (always), then apply `schedule_changes(deployment)`."""
    now = timezone.now()
    with transaction.atomic():
        deployment_lock(deployment_id)
        scheduled_runs_delete(deployment_id=deployment_id, after=now)
        deployment = Deployment.objects.select_for_update().get(pk=deployment_id)
        _apply(deployment, fields)
        if queue is not None:
            deployment.work_queue = queue
            deployment.work_queue_name = queue.name
        elif clear_queue:
            deployment.work_queue = None
        deployment.updated_by = updated_by
        deployment.save()
        if schedule_changes is not None:
            schedule_changes(deployment)
        if not deployment.paused:
            schedule_on_commit(deployment.id, now)


def deployment_pause(*, deployment: Deployment) -> None:
    """Paused; **all** its auto-scheduled runs deleted, past ones too (spec §10)."""
    with transaction.atomic():
        deployment_lock(deployment.id)
        scheduled_runs_delete(deployment_id=deployment.id)
        Deployment.objects.filter(pk=deployment.pk).update(paused=True, updated=timezone.now())


def deployment_resume(*, deployment: Deployment) -> None:
    now = timezone.now()
    with transaction.atomic():
        deployment_lock(deployment.id)
        Deployment.objects.filter(pk=deployment.pk).update(paused=False, updated=now)
        schedule_on_commit(deployment.id, now)


def deployment_delete(*, deployment_id: UUID) -> bool:
    """Delete the deployment, all its never-run SCHEDULED runs (auto and manual) and its
    schedules; its concurrency limit and leases go with the row. Other runs keep their
    (dangling) `deployment_id`. False when it did not exist."""
    with transaction.atomic():
        deployment_lock(deployment_id)
        scheduled_runs_delete(deployment_id=deployment_id, auto_only=False)
        deleted, _ = Deployment.objects.filter(pk=deployment_id).delete()
    return bool(deleted)
