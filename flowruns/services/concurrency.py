"""Deployment concurrency slots, held as lease rows and counted under a lock.

The engine asks for a slot through the `ConcurrencySlots` port; this is the database side.
Acquiring locks the deployment row (lock order is always flow_run → deployment → lease),
counts the live leases it holds and inserts one if there is room — all inside the
orchestration transaction, so a rolled-back transition leaves nothing behind. Releasing
deletes the lease: a second release finds nothing and cannot under-count, and deleting a run
deletes its lease.

A lease lapses at `expires_at` unless renewed (`lease_renew`, the renew route; R7 at RUNNING).
A lapsed lease holds no slot from that instant, whether or not the lease reaper has deleted
its row yet (the reaper leaves a `ReapedLease` behind), and it cannot be renewed: its holder
learns it lost the slot. A lease released by its own run (the run finished, or left RUNNING
for a retry or a pause, rules R17) is simply unknown: its run is alive and must not be
stopped, so renewing it reports nothing to renew.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from flowruns.models import Deployment, DeploymentConcurrencyLease, ReapedLease

from .lease_expiry import lease_duration_initial


def leases_live(now: datetime) -> QuerySet[DeploymentConcurrencyLease]:
    """Leases that still hold their slot: no expiry, or an expiry not yet passed."""
    return DeploymentConcurrencyLease.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


class Renewal(Enum):
    RENEWED = "renewed"  # live, extended
    LOST = "lost"  # lapsed, or reaped after lapsing: the slot may be someone else's
    UNKNOWN = "unknown"  # released by its run, or never a deployment lease: nothing held


def lease_renew(*, lease_id: UUID, duration: timedelta, now: datetime | None = None) -> Renewal:
    """Extend a live lease to `now + duration`, in one conditional UPDATE (so it cannot
    revive a lease the reaper is deleting). A lease without expiry stays without one."""
    now = now or timezone.now()
    live = leases_live(now).filter(pk=lease_id)
    if live.filter(expires_at__isnull=True).exists() or live.update(expires_at=now + duration):
        return Renewal.RENEWED
    lapsed = DeploymentConcurrencyLease.objects.filter(pk=lease_id).exists()
    if lapsed or ReapedLease.objects.filter(pk=lease_id).exists():
        return Renewal.LOST
    return Renewal.UNKNOWN


class DatabaseSlots:
    def try_acquire(self, deployment_id: UUID, flow_run_id: UUID) -> UUID | None:
        deployment = (
            Deployment.objects.select_for_update()
            .only("id", "concurrency_limit")
            .filter(pk=deployment_id)
            .first()
        )
        if deployment is None or deployment.concurrency_limit is None:
            return None
        now = timezone.now()
        held = leases_live(now).filter(deployment_id=deployment_id).count()
        if held >= deployment.concurrency_limit:
            return None
        lease = DeploymentConcurrencyLease.objects.create(
            deployment_id=deployment_id,
            flow_run_id=flow_run_id,
            expires_at=now + lease_duration_initial(),
        )
        return lease.id

    def release(self, lease_id: UUID) -> None:
        DeploymentConcurrencyLease.objects.filter(pk=lease_id).delete()

    def renew(self, lease_id: UUID) -> bool:
        """R7 at RUNNING: the run's engine is about to start renewing; give it a full
        initial duration from now."""
        renewal = lease_renew(lease_id=lease_id, duration=lease_duration_initial())
        return renewal is Renewal.RENEWED

    def keep(self, lease_id: UUID) -> None:
        """R9: the run's client never renews, so its lease must not lapse while it runs."""
        leases_live(timezone.now()).filter(pk=lease_id).update(expires_at=None)
