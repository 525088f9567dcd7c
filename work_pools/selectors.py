"""Reads of pools, queues and workers, and the slot counts their responses show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Q

from flowruns.models import FlowRun, Worker, WorkPool, WorkQueue
from orchestration.states import StateType

from .rules import DEFAULT_AGENT_POOL

# Runs that hold a pool or queue slot (spec/work_pools.md §2.1, §5).
OCCUPYING = (StateType.PENDING.value, StateType.RUNNING.value)


def pool_get(name: str) -> WorkPool | None:
    return WorkPool.objects.filter(name=name).first()


def queue_get(*, pool: WorkPool, name: str) -> WorkQueue | None:
    return WorkQueue.objects.select_related("work_pool").filter(work_pool=pool, name=name).first()


def queue_get_by_id(queue_id: UUID) -> WorkQueue | None:
    return WorkQueue.objects.select_related("work_pool").filter(pk=queue_id).first()


def queue_get_legacy(name: str) -> WorkQueue | None:
    """`/work_queues/name/{name}` looks in `default-agent-pool` only (spec §7)."""
    return (
        WorkQueue.objects.select_related("work_pool")
        .filter(work_pool__name=DEFAULT_AGENT_POOL, name=name)
        .first()
    )


def pools_page(*, where: Q, limit: int, offset: int) -> list[WorkPool]:
    if limit == 0:
        return []
    return list(WorkPool.objects.filter(where).order_by("name", "id")[offset : offset + limit])


def pools_count(*, where: Q) -> int:
    return WorkPool.objects.filter(where).count()


def queues_page(
    *, where: Q, limit: int, offset: int, pool: WorkPool | None = None
) -> list[WorkQueue]:
    """A pool's queues by priority, or every pool's queues by name (the legacy list)."""
    if limit == 0:
        return []
    rows = WorkQueue.objects.select_related("work_pool").filter(where)
    if pool is not None:
        rows = rows.filter(work_pool=pool).order_by("priority", "name")
    else:
        rows = rows.order_by("name", "id")
    return list(rows[offset : offset + limit])


def workers_page(*, pool: WorkPool, where: Q, limit: int, offset: int) -> list[Worker]:
    if limit == 0:
        return []
    rows = Worker.objects.filter(where, work_pool=pool).order_by("-last_heartbeat_time", "id")
    return list(rows[offset : offset + limit])


def queue_active_slots(queue_ids: Iterable[UUID]) -> dict[UUID, int]:
    """Runs in PENDING or RUNNING per queue (queues without any are absent)."""
    rows = (
        FlowRun.objects.filter(work_queue_id__in=list(queue_ids), state_type__in=OCCUPYING)
        .values("work_queue_id")
        .annotate(n=Count("id"))
    )
    return {row["work_queue_id"]: row["n"] for row in rows}


def pool_active_slots(pool_ids: Iterable[UUID]) -> dict[UUID, int]:
    """Runs in PENDING or RUNNING in any queue of each pool (paused queues included)."""
    rows = (
        FlowRun.objects.filter(
            work_queue__work_pool_id__in=list(pool_ids), state_type__in=OCCUPYING
        )
        .values("work_queue__work_pool_id")
        .annotate(n=Count("id"))
    )
    return {row["work_queue__work_pool_id"]: row["n"] for row in rows}


def pool_has_online_worker(pool: WorkPool) -> bool:
    return Worker.objects.filter(work_pool=pool, status=Worker.Status.ONLINE).exists()


def queue_late_runs(queue: WorkQueue) -> int:
    return FlowRun.objects.filter(work_queue=queue, state_name="Late").count()


def queue_slot_holders(queue_ids: Iterable[UUID]) -> list[dict[str, Any]]:
    """The PENDING/RUNNING runs of the queues (for the concurrency-status routes)."""
    rows = (
        FlowRun.objects.filter(work_queue_id__in=list(queue_ids), state_type__in=OCCUPYING)
        .order_by("state_timestamp", "id")
        .values(
            "id",
            "name",
            "state_type",
            "state_name",
            "start_time",
            "state_timestamp",
            "work_queue_id",
        )
    )
    return [dict(row) for row in rows]


def recently(last: datetime | None, now: datetime, seconds: float = 60) -> bool:
    return last is not None and (now - last).total_seconds() <= seconds
