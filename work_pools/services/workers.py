"""Worker heartbeats (spec/work_pools.md §6.1) and deletion."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from flowruns.errors import DetailError
from flowruns.models import Worker, WorkPool
from flowruns.models.work_pool import WorkStatus


def worker_heartbeat(
    *,
    pool: WorkPool,
    name: str,
    heartbeat_interval_seconds: int | None = None,
    now: datetime | None = None,
) -> Worker:
    """Upsert the worker on (pool, name) as ONLINE, then a NOT_READY pool becomes READY (a
    paused pool stays PAUSED; a `prefect-agent` pool has no status)."""
    now = now or timezone.now()
    updates: dict[str, object] = {"last_heartbeat_time": now, "status": Worker.Status.ONLINE}
    if heartbeat_interval_seconds is not None:
        updates["heartbeat_interval_seconds"] = heartbeat_interval_seconds
    with transaction.atomic():
        worker = Worker.objects.filter(work_pool=pool, name=name).first()
        if worker is None:
            try:
                with transaction.atomic():
                    worker = Worker.objects.create(work_pool=pool, name=name, **updates)
            except IntegrityError:  # a concurrent first heartbeat of the same worker
                worker = Worker.objects.get(work_pool=pool, name=name)
        if worker.last_heartbeat_time != now:
            for field, value in updates.items():
                setattr(worker, field, value)
            worker.save(update_fields=list(updates))
        WorkPool.objects.filter(pk=pool.pk, status=WorkStatus.NOT_READY).update(
            status=WorkStatus.READY, last_transitioned_status_at=now
        )
    return worker


def worker_delete(*, pool: WorkPool, name: str) -> None:
    deleted, _ = Worker.objects.filter(work_pool=pool, name=name).delete()
    if not deleted:
        raise DetailError(404, "Worker not found.")
