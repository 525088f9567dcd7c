"""Writing a deployment's schedules (spec §4.3, §5 step 1, §11)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from flowruns.errors import DetailError
from flowruns.models import Deployment, DeploymentSchedule

from .cleanup import scheduled_runs_delete
from .locking import deployment_lock

DUPLICATE_SLUG = "Schedule slugs must be unique within a deployment."


def _insert(deployment: Deployment, rows: list[dict[str, Any]]) -> list[DeploymentSchedule]:
    made = []
    try:
        with transaction.atomic():
            for row in rows:
                schedule = DeploymentSchedule(deployment=deployment, **row)
                schedule.save(force_insert=True)
                made.append(schedule)
    except IntegrityError as exc:
        raise DetailError(409, DUPLICATE_SLUG) from exc
    return made


def schedules_replace(*, deployment: Deployment, schedules: list[dict[str, Any]]) -> None:
    """Delete every schedule, insert these (`max_scheduled_runs` is not kept here, as in
    Prefect). Called under the deployment's write lock."""
    DeploymentSchedule.objects.filter(deployment=deployment).delete()
    rows = [
        {
            "schedule": s["schedule"],
            "active": True if s.get("active") is None else s["active"],
            "parameters": s.get("parameters") or {},
            "slug": s.get("slug"),
        }
        for s in schedules
        if s.get("schedule") is not None
    ]
    _insert(deployment, rows)


def schedules_create(
    *, deployment: Deployment, schedules: list[dict[str, Any]]
) -> list[DeploymentSchedule]:
    """POST /schedules: add them; no run is deleted and `updated` does not move (the main
    scheduler loop picks them up)."""
    with transaction.atomic():
        deployment_lock(deployment.id)
        return _insert(deployment, schedules)


def schedules_apply_targeted(*, deployment: Deployment, schedules: list[dict[str, Any]]) -> None:
    """PATCH's targeted mode (every schedule has a slug): update the schedule each body entry
    targets (`replaces`, else `slug`), create the others; keep the unmentioned ones."""
    existing = {s.slug: s for s in deployment.schedules.all()}
    targets = [s.get("replaces") or s.get("slug") for s in schedules]
    replaced = [s["replaces"] for s in schedules if s.get("replaces")]
    for slug in replaced:
        if replaced.count(slug) > 1:
            raise DetailError(
                422, f"Multiple schedules have 'replaces' targeting the same slug: {slug}"
            )
    for body in schedules:
        new_slug = body.get("slug")
        if (
            body.get("replaces")
            and new_slug
            and new_slug != body["replaces"]
            and new_slug in existing
            and new_slug not in replaced
        ):
            raise DetailError(
                422,
                f"Cannot rename schedule from '{body['replaces']}' to '{new_slug}': "
                f"a schedule with slug '{new_slug}' already exists.",
            )
    for body, target in zip(schedules, targets, strict=True):
        current = existing.get(target)
        if current is not None:
            changes = {
                k: body[k]
                for k in ("schedule", "active", "parameters", "slug")
                if body.get(k) is not None
            }
            _schedule_write(current, changes)
        elif body.get("schedule") is None:
            raise DetailError(
                422, "Unable to create new deployment schedules without a schedule configuration."
            )
        else:
            row = {
                "schedule": body["schedule"],
                "active": True if body.get("active") is None else body["active"],
                "parameters": body.get("parameters") or {},
                "slug": body.get("slug"),
            }
            _insert(deployment, [row])


def _schedule_write(schedule: DeploymentSchedule, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(schedule, name, value)
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError as exc:
        raise DetailError(409, DUPLICATE_SLUG) from exc


def schedule_update(*, deployment: Deployment, schedule_id: UUID, changes: dict[str, Any]) -> None:
    """PATCH one schedule: only the keys present in the body are written (Prefect writes
    every non-null field, so `{"active": false}` would wipe its parameters; no client depends
    on that). Then the deployment's future auto-scheduled runs are deleted, for the
    scheduler to rebuild."""
    with transaction.atomic():
        deployment_lock(deployment.id)
        schedule = deployment.schedules.select_for_update().filter(pk=schedule_id).first()
        if schedule is None:
            raise DetailError(404, "Schedule not found.")
        _schedule_write(schedule, changes)
        scheduled_runs_delete(deployment_id=deployment.id, after=timezone.now())


def schedule_delete(*, deployment: Deployment, schedule_id: UUID) -> None:
    """Delete it and **all** the deployment's auto-scheduled runs (past ones too)."""
    with transaction.atomic():
        deployment_lock(deployment.id)
        deleted, _ = deployment.schedules.filter(pk=schedule_id).delete()
        if not deleted:
            raise DetailError(404, "Schedule not found.")
        scheduled_runs_delete(deployment_id=deployment.id)
