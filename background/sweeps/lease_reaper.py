"""The lease reaper (Prefect's "repossessor", spec/services.md §5): deletes lapsed
deployment-concurrency leases, which gives their slots back for good, and lapsed leases of
global and tag limits (`concurrency.services.reaping`), which frees their slots.

A lease lapses when its client stops renewing it (the process died, the machine went away).
From `expires_at` on it already holds no slot (`flowruns.services.concurrency`); deleting the
row makes that final, so a renewal can never bring it back and the row does not linger. A
`ReapedLease` row is left in its place for REAPED_KEPT, so that a holder that comes back and
renews learns it lost the slot (410), and the admin can show what was reaped. Run states
are never touched: a run that later reaches RUNNING re-takes a slot or is cancelled
(R7), and a run that finishes releases nothing, since its lease is gone (no double release).

Each pass reads lapsed leases in keyset pages (`expires_at`, `id`) of `BATCH_SIZE`, and
deletes each page in one short transaction: the page's deployment rows are locked first, in
id order (the order in which orchestration takes them: flow run → deployment → lease), then
the leases with `FOR UPDATE SKIP LOCKED` and the expiry checked again, so a lease renewed
meanwhile, or held by a transition in flight, is left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db import DatabaseError, transaction

from background.conf import settings_cache
from background.sweep import SweepResult
from concurrency.services.reaping import lapsed_page, lapsed_release, reaped_forget
from config.prefect_settings import parse_bool, parse_seconds, setting_read
from flowruns.models import Deployment, DeploymentConcurrencyLease, ReapedLease

logger = logging.getLogger(__name__)

SERVICE = "repossessor"
BATCH_SIZE = 100
BATCHES_PER_PASS = 10
REAPED_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class ReaperSettings:
    enabled: bool
    loop: timedelta


@settings_cache
def reaper_settings() -> ReaperSettings:
    return ReaperSettings(
        enabled=setting_read("PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED", True, parse_bool),
        loop=setting_read(
            "PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS",
            timedelta(seconds=15),
            parse_seconds,
        ),
    )


@dataclass(frozen=True)
class _Lapsed:
    id: UUID
    deployment_id: UUID
    flow_run_id: UUID
    expires_at: datetime


def _page(now: datetime, after: _Lapsed | None) -> list[_Lapsed]:
    lapsed = DeploymentConcurrencyLease.objects.filter(expires_at__lt=now)
    if after is not None:
        lapsed = lapsed.filter(expires_at__gte=after.expires_at).exclude(
            expires_at=after.expires_at, id__lte=after.id
        )
    rows = lapsed.order_by("expires_at", "id").values_list(
        "id", "deployment_id", "flow_run_id", "expires_at"
    )[:BATCH_SIZE]
    return [
        _Lapsed(id=lease_id, deployment_id=deployment, flow_run_id=run, expires_at=expires_at)
        for lease_id, deployment, run, expires_at in rows
        if expires_at is not None  # always: the filter excludes nulls
    ]


def _reap(page: list[_Lapsed], now: datetime) -> list[UUID]:
    """Delete the leases of `page` that are still lapsed and not locked; their ids."""
    with transaction.atomic():
        deployments = sorted({lease.deployment_id for lease in page})
        list(
            Deployment.objects.select_for_update()
            .filter(pk__in=deployments)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        still_lapsed = set(
            DeploymentConcurrencyLease.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[lease.id for lease in page], expires_at__lt=now)
            .values_list("pk", flat=True)
        )
        DeploymentConcurrencyLease.objects.filter(pk__in=still_lapsed).delete()
        ReapedLease.objects.bulk_create(
            [
                ReapedLease(
                    id=lease.id,
                    deployment_id=lease.deployment_id,
                    flow_run_id=lease.flow_run_id,
                    expired_at=lease.expires_at,
                    reaped_at=now,
                )
                for lease in page
                if lease.id in still_lapsed
            ],
            ignore_conflicts=True,
        )
    return list(still_lapsed)


def _forget_reaped(now: datetime) -> None:
    """Drop the records of leases reaped more than REAPED_KEPT ago (a bounded batch)."""
    old = ReapedLease.objects.filter(reaped_at__lt=now - REAPED_KEPT).values("pk")[:1000]
    ReapedLease.objects.filter(pk__in=old).delete()


def _global_leases_reap(now: datetime, result: SweepResult) -> None:
    """Lapsed leases of global and tag limits (`concurrency` app): their slots come back."""
    reaped_forget(now)
    for _ in range(BATCHES_PER_PASS):
        page = lapsed_page(now)
        if not page:
            return
        result.examined += len(page)
        try:
            released = set(lapsed_release(page, now))
        except DatabaseError:
            logger.exception("lease reaper: a page of %d limit leases failed", len(page))
            result.failed += len(page)
            return
        result.changed += len(released)
        for lease in page:
            if lease.id in released:
                result.note(
                    f"lease {lease.id} on concurrency limits lapsed at "
                    f"{lease.expires_at.isoformat()}: {lease.slots} slot(s) freed"
                )
        if len(released) < len(page) or len(page) < BATCH_SIZE:
            return  # the rest are locked (renewed or released right now): next pass


def leases_reap(now: datetime) -> SweepResult:
    """One bounded pass: up to BATCHES_PER_PASS pages of lapsed deployment leases, then as
    many of lapsed global-limit leases."""
    result = SweepResult()
    _global_leases_reap(now, result)
    _forget_reaped(now)
    after: _Lapsed | None = None
    for _ in range(BATCHES_PER_PASS):
        page = _page(now, after)
        if not page:
            break
        result.examined += len(page)
        after = page[-1]
        try:
            reaped = set(_reap(page, now))
        except DatabaseError:
            logger.exception("lease reaper: a page of %d leases failed", len(page))
            result.failed += len(page)
            continue
        result.changed += len(reaped)
        for lease in page:
            if lease.id in reaped:
                result.note(
                    f"lease {lease.id} of flow run {lease.flow_run_id} (deployment "
                    f"{lease.deployment_id}) lapsed at {lease.expires_at.isoformat()}: slot freed"
                )
        if len(page) < BATCH_SIZE:
            break
    return result
