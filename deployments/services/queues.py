"""Work queue resolution for deployments (spec/deployments.md §4.1, §8.2 step 5)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from flowruns.errors import DetailError
from flowruns.models import WorkPool, WorkQueue

DEFAULT_AGENT_POOL = "default-agent-pool"


def _pool_get_or_create(name: str) -> WorkPool:
    pool = WorkPool.objects.filter(name=name).first()
    if pool is not None:
        return pool
    try:
        with transaction.atomic():
            pool = WorkPool.objects.create(name=name, type="prefect-agent", status=None)
            queue = WorkQueue.objects.create(work_pool=pool, name=WorkQueue.DEFAULT_NAME)
            pool.default_queue = queue
            pool.save(update_fields=["default_queue"])
            return pool
    except IntegrityError:
        return WorkPool.objects.get(name=name)


def work_queue_get_or_create(*, pool: WorkPool, queue_name: str) -> WorkQueue:
    """The queue `queue_name` of `pool`, created (priority: the first free one) if missing.
    Concurrent creators settle on one row through the (pool, name) unique constraint."""
    queue = WorkQueue.objects.filter(work_pool=pool, name=queue_name).first()
    if queue is not None:
        return queue
    top = WorkQueue.objects.filter(work_pool=pool).aggregate(top=Max("priority"))["top"]
    try:
        with transaction.atomic():
            return WorkQueue.objects.create(
                work_pool=pool, name=queue_name, priority=(top or 0) + 1
            )
    except IntegrityError:
        return WorkQueue.objects.get(work_pool=pool, name=queue_name)


def pool_get(name: str) -> WorkPool:
    pool = WorkPool.objects.filter(name=name).first()
    if pool is None:
        raise DetailError(404, f'Work pool "{name}" not found.')
    return pool


def deployment_queue_resolve(
    *, work_pool_name: str | None, work_queue_name: str | None
) -> WorkQueue | None:
    """The queue a create/PATCH body names: pool + queue (created if missing), pool only (its
    default queue), queue only (legacy: in `default-agent-pool`, created if missing)."""
    if work_pool_name is not None:
        pool = (
            _pool_get_or_create(work_pool_name)
            if work_pool_name == DEFAULT_AGENT_POOL
            else pool_get(work_pool_name)
        )
        if work_queue_name is not None:
            return work_queue_get_or_create(pool=pool, queue_name=work_queue_name)
        if pool.default_queue_id is not None:
            return WorkQueue.objects.get(pk=pool.default_queue_id)
        return work_queue_get_or_create(pool=pool, queue_name=WorkQueue.DEFAULT_NAME)
    if work_queue_name is not None:
        pool = _pool_get_or_create(DEFAULT_AGENT_POOL)
        return work_queue_get_or_create(pool=pool, queue_name=work_queue_name)
    return None
