"""Response bodies in Prefect's key order (spec/work_pools.md §2). Lists count their slots
in one query per list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flowruns.api.serializers.flow_runs import flow_run_out
from flowruns.encoding import dt
from flowruns.models import Worker, WorkPool, WorkQueue

from ..rules import AGENT_TYPE
from ..selectors import pool_active_slots, queue_active_slots
from ..services.polling import Handed
from ..services.pools import STORAGE_DEFAULT


def _stamps(row: Any) -> dict[str, Any]:
    return {"id": str(row.id), "created": dt(row.created), "updated": dt(row.updated)}


def pool_out(pool: WorkPool, slots: dict[Any, int] | None = None) -> dict[str, Any]:
    if slots is None:
        slots = pool_active_slots([pool.pk]) if pool.concurrency_limit is not None else {}
    return {
        **_stamps(pool),
        "name": pool.name,
        "description": pool.description,
        "type": pool.type,
        "base_job_template": pool.base_job_template,
        "is_paused": pool.is_paused,
        "concurrency_limit": pool.concurrency_limit,
        "status": None if pool.type == AGENT_TYPE else pool.status,
        "default_queue_id": None if pool.default_queue_id is None else str(pool.default_queue_id),
        "storage_configuration": {**STORAGE_DEFAULT, **(pool.storage_configuration or {})},
        "active_slots": slots.get(pool.pk, 0) if pool.concurrency_limit is not None else None,
    }


def pools_out(pools: Sequence[WorkPool]) -> list[dict[str, Any]]:
    slots = pool_active_slots([p.pk for p in pools if p.concurrency_limit is not None])
    return [pool_out(pool, slots) for pool in pools]


def queue_out(queue: WorkQueue, slots: dict[Any, int] | None = None) -> dict[str, Any]:
    if slots is None:
        slots = queue_active_slots([queue.pk]) if queue.concurrency_limit is not None else {}
    return {
        **_stamps(queue),
        "name": queue.name,
        "description": queue.description or "",
        "is_paused": queue.is_paused,
        "concurrency_limit": queue.concurrency_limit,
        "priority": queue.priority,
        "work_pool_id": str(queue.work_pool_id),
        "filter": queue.filter,
        "last_polled": dt(queue.last_polled),
        "work_pool_name": queue.work_pool.name,
        "status": queue.status,
        "active_slots": slots.get(queue.pk, 0) if queue.concurrency_limit is not None else None,
    }


def queues_out(queues: Sequence[WorkQueue]) -> list[dict[str, Any]]:
    slots = queue_active_slots([q.pk for q in queues if q.concurrency_limit is not None])
    return [queue_out(queue, slots) for queue in queues]


def worker_out(worker: Worker) -> dict[str, Any]:
    return {
        **_stamps(worker),
        "name": worker.name,
        "work_pool_id": str(worker.work_pool_id),
        "last_heartbeat_time": dt(worker.last_heartbeat_time),
        "heartbeat_interval_seconds": worker.heartbeat_interval_seconds,
        "status": worker.status,
    }


def core_flow_run_out(handed: Handed, now: datetime) -> dict[str, Any]:
    """Prefect's core FlowRun (spec §2.4): FlowRunResponse without the pool keys, with
    `work_queue_id` after `created_by` and `state` always null."""
    run = handed.run
    # Prime the relation caches: the queue it was handed from, and no state row (Prefect does
    # not load it here); `state_id` is left as stored.
    run._state.fields_cache["work_queue"] = handed.queue
    run._state.fields_cache["state"] = None
    full = flow_run_out(run, now=now)
    queue_id = full.pop("work_queue_id")
    for key in ("work_pool_id", "work_pool_name", "state", "job_variables"):
        full.pop(key)
    return {**full, "work_queue_id": queue_id, "state": None, "job_variables": run.job_variables}


def worker_flow_run_out(handed: Handed, now: datetime) -> dict[str, Any]:
    return {
        "work_pool_id": str(handed.queue.work_pool_id),
        "work_queue_id": str(handed.queue.pk),
        "flow_run": core_flow_run_out(handed, now),
    }
