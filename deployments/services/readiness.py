"""A deployment's `status` (spec/deployments.md §13): READY while something polls for its runs,
NOT_READY once nothing has for the timeout. Neither write moves `updated`."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Q

from config.prefect_settings import parse_seconds, setting_read
from flowruns.models import Deployment


def last_polled_timeout() -> timedelta:
    return setting_read(
        "PREFECT_SERVER_SERVICES_FOREMAN_DEPLOYMENT_LAST_POLLED_TIMEOUT_SECONDS",
        timedelta(seconds=60),
        parse_seconds,
        "PREFECT_API_SERVICES_FOREMAN_DEPLOYMENT_LAST_POLLED_TIMEOUT_SECONDS",
    )


def deployments_mark_polled(*, deployment_ids: list[UUID], now: datetime) -> int:
    """READY and `last_polled = now` (a runner, a worker or a queue poll listed them)."""
    return Deployment.objects.filter(pk__in=deployment_ids).update(
        status=Deployment.Status.READY, last_polled=now
    )


def deployments_mark_not_ready(*, now: datetime) -> int:
    """The foreman's step 3 (spec/work_pools.md §9): READY deployments not polled within the
    timeout, whose queue (if any) was not polled within it either, become NOT_READY. One
    UPDATE; returns how many changed."""
    cutoff = now - last_polled_timeout()
    stale_queue = (
        Q(work_queue__isnull=True)
        | Q(work_queue__last_polled__isnull=True)
        | Q(work_queue__last_polled__lt=cutoff)
    )
    stale = Deployment.objects.filter(
        stale_queue,
        Q(last_polled__isnull=True) | Q(last_polled__lt=cutoff),
        status=Deployment.Status.READY,
    )
    ids = list(stale.values_list("id", flat=True))
    return Deployment.objects.filter(pk__in=ids, status=Deployment.Status.READY).update(
        status=Deployment.Status.NOT_READY
    )
