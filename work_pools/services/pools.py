"""Creating, updating and deleting work pools (spec/work_pools.md §3)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from flowruns.errors import DetailError
from flowruns.models import WorkPool, WorkQueue
from flowruns.models.work_pool import WorkStatus

from ..rules import (
    AGENT_TYPE,
    DEFAULT_QUEUE_DESCRIPTION,
    BlockReferenceError,
    TemplateDefaultsError,
    check_template_defaults,
    check_template_structure,
    is_reserved,
)
from ..selectors import pool_has_online_worker

RESERVED = "Work pools starting with 'Prefect' are reserved for internal use."
RESERVED_DELETE = (
    "Work pools starting with 'Prefect' are reserved for internal use and can not be deleted."
)
STORAGE_DEFAULT = {
    "bundle_upload_step": None,
    "bundle_execution_step": None,
    "default_result_storage_block_id": None,
}
UPDATABLE = {
    "description",
    "is_paused",
    "base_job_template",
    "concurrency_limit",
    "storage_configuration",
}


def pool_not_found(name: str) -> DetailError:
    return DetailError(404, f'Work pool "{name}" not found.')


def _initial_status(*, type: str, is_paused: bool) -> str | None:
    if type == AGENT_TYPE:
        return None
    return WorkStatus.PAUSED if is_paused else WorkStatus.NOT_READY


def work_pool_create(
    *,
    name: str,
    type: str = AGENT_TYPE,
    description: str | None = None,
    base_job_template: dict[str, Any] | None = None,
    is_paused: bool = False,
    concurrency_limit: int | None = None,
    storage_configuration: dict[str, Any] | None = None,
    reserved_ok: bool = False,
) -> WorkPool:
    """Insert a pool and its `default` queue (priority 1). 403 for a reserved name (unless
    the server itself creates it), 409 for a taken name."""
    if is_reserved(name) and not reserved_ok:
        raise DetailError(403, RESERVED)
    template = check_template_structure(dict(base_job_template or {}))
    try:
        check_template_defaults(template)
    except TemplateDefaultsError as exc:
        raise DetailError(422, str(exc)) from exc
    except BlockReferenceError as exc:
        raise DetailError(404, "Block not found.") from exc
    try:
        with transaction.atomic():
            pool = WorkPool.objects.create(
                name=name,
                type=type,
                description=description,
                base_job_template=template,
                is_paused=is_paused,
                concurrency_limit=concurrency_limit,
                storage_configuration={**STORAGE_DEFAULT, **(storage_configuration or {})},
                status=_initial_status(type=type, is_paused=is_paused),
            )
            queue = WorkQueue.objects.create(
                work_pool=pool,
                name=WorkQueue.DEFAULT_NAME,
                description=DEFAULT_QUEUE_DESCRIPTION,
                priority=1,
            )
            pool.default_queue = queue
            pool.save(update_fields=["default_queue"])
    except IntegrityError as exc:
        raise DetailError(409, "A work pool with this name already exists.") from exc
    return pool


def pool_status_for(pool: WorkPool, *, is_paused: bool) -> str | None:
    """The status a PATCH of `is_paused` leaves (spec §3.3)."""
    if pool.type == AGENT_TYPE:
        return pool.status
    if is_paused:
        return WorkStatus.PAUSED
    return WorkStatus.READY if pool_has_online_worker(pool) else WorkStatus.NOT_READY


def work_pool_update(*, pool: WorkPool, changes: dict[str, Any]) -> WorkPool:
    """Write the keys of `changes`; a reserved pool takes only `is_paused` and
    `concurrency_limit` (403 otherwise)."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"not a work pool field: {', '.join(sorted(unknown))}")
    if is_reserved(pool.name) and set(changes) - {"is_paused", "concurrency_limit"}:
        raise DetailError(403, RESERVED)
    if "base_job_template" in changes:
        changes["base_job_template"] = check_template_structure(
            dict(changes["base_job_template"] or {})
        )
    if "storage_configuration" in changes:
        changes["storage_configuration"] = {
            **STORAGE_DEFAULT,
            **(changes["storage_configuration"] or {}),
        }
    with transaction.atomic():
        pool = WorkPool.objects.select_for_update().get(pk=pool.pk)
        for field, value in changes.items():
            setattr(pool, field, value)
        fields = list(changes)
        if "is_paused" in changes:
            status = pool_status_for(pool, is_paused=bool(changes["is_paused"]))
            if status != pool.status:
                pool.status = status
                pool.last_transitioned_status_at = timezone.now()
                fields += ["status", "last_transitioned_status_at"]
        pool.save(update_fields=fields)
    return pool


def work_pool_pause(*, pool: WorkPool, paused: bool) -> WorkPool:
    """Pause or resume (the admin's actions; the same write as `PATCH {"is_paused": …}`)."""
    return work_pool_update(pool=pool, changes={"is_paused": paused})


def work_pool_delete(*, pool: WorkPool) -> None:
    """Delete the pool, its queues and workers; runs and deployments of its queues keep
    their rows with `work_queue_id = null` (the foreign keys are SET NULL)."""
    if is_reserved(pool.name):
        raise DetailError(403, RESERVED_DELETE)
    with transaction.atomic():
        WorkPool.objects.filter(pk=pool.pk).update(default_queue=None)
        WorkPool.objects.filter(pk=pool.pk).delete()
