"""Creating, updating and deleting work queues, with the priority rules of
spec/work_pools.md §4.2 and the status effects of §4.4."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from flowruns.errors import DetailError
from flowruns.models import WorkPool, WorkQueue
from flowruns.models.work_pool import WorkStatus

from ..rules import AGENT_TYPE, DEFAULT_AGENT_POOL, first_free_priority, priorities_walk
from ..selectors import recently

DEFAULT_QUEUE_DELETE = "Can't delete a pool's default queue."
DUPLICATE_IN_POOL = "A work queue with this name already exists in work pool {work_pool_name!r}."
DUPLICATE = "A work queue with this name already exists."
UPDATABLE = {
    "name",
    "description",
    "is_paused",
    "concurrency_limit",
    "priority",
    "last_polled",
    "filter",
}


def queue_not_found(pool_name: str, queue_name: str) -> DetailError:
    return DetailError(404, f"Work pool queue '{pool_name}/{queue_name}' not found.")


def _apply_walk(pool_id: Any, moved: Any = None, target: int | None = None) -> None:
    queues = list(WorkQueue.objects.filter(work_pool_id=pool_id).values_list("id", "priority"))
    for queue_id, priority in priorities_walk(queues, moved, target).items():
        WorkQueue.objects.filter(pk=queue_id).update(priority=priority)


def _lock_pool(pool_id: Any) -> None:
    """Queue writes of one pool are serialised on its row, so two priority walks never
    interleave."""
    list(WorkPool.objects.select_for_update().filter(pk=pool_id).values_list("pk"))


def work_queue_create(
    *,
    pool: WorkPool,
    name: str,
    description: str | None = "",
    is_paused: bool = False,
    concurrency_limit: int | None = None,
    priority: int | None = None,
    filter: dict[str, Any] | None = None,
    duplicate_message: str = DUPLICATE_IN_POOL,
) -> WorkQueue:
    """Insert a queue at `priority` (walking the others up) or at the first free one.
    Created NOT_READY even when paused, as Prefect."""
    try:
        with transaction.atomic():
            _lock_pool(pool.pk)
            taken = WorkQueue.objects.filter(work_pool=pool).values_list("priority", flat=True)
            queue = WorkQueue.objects.create(
                work_pool=pool,
                name=name,
                description=description or "",
                is_paused=is_paused,
                concurrency_limit=concurrency_limit,
                priority=priority if priority is not None else first_free_priority(taken),
                filter=filter,
            )
            if priority is not None:
                _apply_walk(pool.pk, queue.pk, priority)
                queue.refresh_from_db(fields=["priority"])
    except IntegrityError as exc:
        raise DetailError(409, duplicate_message) from exc
    queue.work_pool = pool
    return queue


def default_agent_pool() -> WorkPool:
    """`default-agent-pool` (type `prefect-agent`), created with its default queue on first
    use (legacy queue creation, deployments naming only a queue)."""
    from .pools import work_pool_create

    pool = WorkPool.objects.filter(name=DEFAULT_AGENT_POOL).first()
    if pool is not None:
        return pool
    try:
        return work_pool_create(name=DEFAULT_AGENT_POOL, type=AGENT_TYPE)
    except DetailError:  # created by a concurrent request
        return WorkPool.objects.get(name=DEFAULT_AGENT_POOL)


def work_queue_create_legacy(**fields: Any) -> WorkQueue:
    """`POST /work_queues/`: a queue of `default-agent-pool`, created on first use."""
    return work_queue_create(pool=default_agent_pool(), duplicate_message=DUPLICATE, **fields)


def work_queue_get_or_create(*, pool: WorkPool, name: str) -> WorkQueue:
    """The queue `name` of `pool`, created at the first free priority if missing (a
    deployment naming a queue that does not exist yet); concurrent creators get one row."""
    queue = WorkQueue.objects.filter(work_pool=pool, name=name).first()
    if queue is not None:
        return queue
    try:
        return work_queue_create(pool=pool, name=name)
    except DetailError:  # created by a concurrent request
        return WorkQueue.objects.select_related("work_pool").get(work_pool=pool, name=name)


def _unpaused_status(last_polled: datetime | None, now: datetime) -> str:
    return WorkStatus.READY if recently(last_polled, now) else WorkStatus.NOT_READY


def work_queue_update(*, queue: WorkQueue, changes: dict[str, Any]) -> WorkQueue:
    """Write the keys of `changes` (a rename onto a taken name is a 409)."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"not a work queue field: {', '.join(sorted(unknown))}")
    now = timezone.now()
    try:
        with transaction.atomic():
            _lock_pool(queue.work_pool_id)
            queue = WorkQueue.objects.select_related("work_pool").get(pk=queue.pk)
            fields = set(changes)
            for field, value in changes.items():
                setattr(queue, field, "" if field == "description" and value is None else value)
            if changes.get("is_paused") is True and queue.status != WorkStatus.PAUSED:
                queue.status = WorkStatus.PAUSED
                fields.add("status")
            elif changes.get("is_paused") is False and queue.status == WorkStatus.PAUSED:
                queue.status = _unpaused_status(queue.last_polled, now)
                fields.add("status")
            queue.save(update_fields=list(fields))
            if changes.get("priority") is not None:
                _apply_walk(queue.work_pool_id, queue.pk, changes["priority"])
                queue.refresh_from_db(fields=["priority"])
    except IntegrityError as exc:
        raise DetailError(409, DUPLICATE_IN_POOL) from exc
    return queue


def work_queue_pause(*, queue: WorkQueue, paused: bool) -> WorkQueue:
    return work_queue_update(queue=queue, changes={"is_paused": paused})


def work_queue_delete(*, queue: WorkQueue) -> None:
    """Delete a queue (409 for the pool's default queue) and close the priority gap's
    collisions; runs and deployments of the queue get `work_queue_id = null`."""
    with transaction.atomic():
        _lock_pool(queue.work_pool_id)
        pool = WorkPool.objects.get(pk=queue.work_pool_id)
        if pool.default_queue_id == queue.pk:
            raise DetailError(409, DEFAULT_QUEUE_DELETE)
        WorkQueue.objects.filter(pk=queue.pk).delete()
        _apply_walk(pool.pk)
