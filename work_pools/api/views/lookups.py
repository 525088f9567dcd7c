"""The objects a path names, or the 404 Prefect answers for each."""

from __future__ import annotations

from uuid import UUID

from flowruns.errors import DetailError
from flowruns.models import WorkPool, WorkQueue

from ...selectors import pool_get, queue_get, queue_get_by_id
from ...services.pools import pool_not_found
from ...services.queues import queue_not_found


def pool_or_404(name: str) -> WorkPool:
    pool = pool_get(name)
    if pool is None:
        raise pool_not_found(name)
    return pool


def queue_or_404(pool_name: str, queue_name: str) -> WorkQueue:
    pool = pool_get(pool_name)
    queue = None if pool is None else queue_get(pool=pool, name=queue_name)
    if queue is None:
        raise queue_not_found(pool_name, queue_name)
    return queue


def queue_by_id_or_404(queue_id: UUID, detail: str = "work queue not found") -> WorkQueue:
    queue = queue_get_by_id(queue_id)
    if queue is None:
        raise DetailError(404, detail)
    return queue
