"""Work queue resolution for deployments (spec/deployments.md §4.1, §8.2 step 5)."""

from __future__ import annotations

from flowruns.errors import DetailError
from flowruns.models import WorkPool, WorkQueue
from work_pools.rules import DEFAULT_AGENT_POOL
from work_pools.services import queues


def work_queue_get_or_create(*, pool: WorkPool, queue_name: str) -> WorkQueue:
    """The queue `queue_name` of `pool`, created (priority: the first free one) if missing,
    through the work-pool services' one queue write."""
    return queues.work_queue_get_or_create(pool=pool, name=queue_name)


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
            queues.default_agent_pool()
            if work_pool_name == DEFAULT_AGENT_POOL
            else pool_get(work_pool_name)
        )
        if work_queue_name is not None:
            return work_queue_get_or_create(pool=pool, queue_name=work_queue_name)
        if pool.default_queue_id is not None:
            return WorkQueue.objects.get(pk=pool.default_queue_id)
        return work_queue_get_or_create(pool=pool, queue_name=WorkQueue.DEFAULT_NAME)
    if work_queue_name is not None:
        pool = queues.default_agent_pool()
        return work_queue_get_or_create(pool=pool, queue_name=work_queue_name)
    return None
