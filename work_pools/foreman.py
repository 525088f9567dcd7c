"""The foreman (spec/work_pools.md §9, services.md): every
`PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS` (15 s) it marks silent workers OFFLINE, pools
without an online worker NOT_READY, deployments and queues not polled for a minute NOT_READY,
and prunes lapsed run claims. Every write is a compare-and-set `UPDATE … WHERE status = old`,
so a heartbeat or poll landing between the read and the write is never undone; `updated` is
left alone (these are status, not edits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.db.models import Exists, OuterRef, Q

from background.conf import settings_cache
from background.sweep import SweepResult
from config.prefect_settings import parse_bool, parse_positive_int, parse_seconds, setting_read
from deployments.services.readiness import deployments_mark_not_ready
from flowruns.models import Worker, WorkPool, WorkQueue
from flowruns.models.work_pool import WorkStatus

from .services.claims import claims_prune

NAME = "foreman"
PREFIX = "PREFECT_SERVER_SERVICES_FOREMAN_"
ALIAS = "PREFECT_API_SERVICES_FOREMAN_"


@dataclass(frozen=True)
class ForemanSettings:
    enabled: bool
    interval: timedelta
    inactivity_heartbeat_multiple: int
    fallback_heartbeat_interval: timedelta
    work_queue_last_polled_timeout: timedelta


T = TypeVar("T")


def _read(name: str, default: T, parse: Callable[[str], T]) -> T:
    return setting_read(f"{PREFIX}{name}", default, parse, f"{ALIAS}{name}")


@settings_cache
def foreman_settings() -> ForemanSettings:
    return ForemanSettings(
        enabled=_read("ENABLED", True, parse_bool),
        interval=_read("LOOP_SECONDS", timedelta(seconds=15), parse_seconds),
        inactivity_heartbeat_multiple=_read("INACTIVITY_HEARTBEAT_MULTIPLE", 3, parse_positive_int),
        fallback_heartbeat_interval=_read(
            "FALLBACK_HEARTBEAT_INTERVAL_SECONDS", timedelta(seconds=30), parse_seconds
        ),
        work_queue_last_polled_timeout=_read(
            "WORK_QUEUE_LAST_POLLED_TIMEOUT_SECONDS", timedelta(seconds=60), parse_seconds
        ),
    )


def workers_mark_offline(*, now: datetime, settings: ForemanSettings) -> int:
    """Step 1: ONLINE workers silent for more than `multiple` times their interval."""
    fallback = int(settings.fallback_heartbeat_interval.total_seconds())
    multiple = settings.inactivity_heartbeat_multiple
    # One compare-and-set UPDATE per distinct interval (workers share a handful of them).
    changed = 0
    intervals = (
        Worker.objects.filter(status=Worker.Status.ONLINE)
        .values_list("heartbeat_interval_seconds", flat=True)
        .distinct()
    )
    for interval in list(intervals):
        seconds = (interval if interval is not None else fallback) * multiple
        changed += Worker.objects.filter(
            status=Worker.Status.ONLINE,
            heartbeat_interval_seconds=interval,
            last_heartbeat_time__lt=now - timedelta(seconds=seconds),
        ).update(status=Worker.Status.OFFLINE)
    return changed


def pools_mark_not_ready(*, now: datetime) -> int:
    """Step 2: READY pools without an ONLINE worker."""
    online = Worker.objects.filter(work_pool=OuterRef("pk"), status=Worker.Status.ONLINE)
    return (
        WorkPool.objects.filter(status=WorkStatus.READY)
        .filter(~Exists(online))
        .update(status=WorkStatus.NOT_READY, last_transitioned_status_at=now)
    )


def queues_mark_not_ready(*, now: datetime, settings: ForemanSettings) -> int:
    """Step 4: READY queues not polled within the timeout (PAUSED ones are left alone)."""
    cutoff = now - settings.work_queue_last_polled_timeout
    return (
        WorkQueue.objects.filter(status=WorkStatus.READY)
        .filter(Q(last_polled__lt=cutoff) | Q(last_polled__isnull=True))
        .update(status=WorkStatus.NOT_READY)
    )


def sweep(now: datetime) -> SweepResult:
    settings = foreman_settings()
    result = SweepResult()
    steps = [
        ("workers offline", workers_mark_offline(now=now, settings=settings)),
        ("pools not ready", pools_mark_not_ready(now=now)),
        # Step 3 is the deployments app's (its own timeout setting, same rule).
        ("deployments not ready", deployments_mark_not_ready(now=now)),
        ("queues not ready", queues_mark_not_ready(now=now, settings=settings)),
    ]
    for label, count in steps:
        result.changed += count
        if count:
            result.note(f"{label}: {count}")
    pruned = claims_prune(now=now)
    if pruned:
        result.note(f"lapsed run claims pruned: {pruned}")
    return result
