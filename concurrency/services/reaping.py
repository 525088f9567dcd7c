"""Freeing the slots of lapsed leases (the lease reaper calls this; spec §3.9).

A lease whose holder stopped renewing it (a killed process) keeps its slots until reaped:
each page of lapsed leases is released in one short transaction that locks the leases with
`FOR UPDATE SKIP LOCKED` (a lease being released or renewed right now is left for the next
pass) and re-checks the expiry, then gives back their slots exactly as a release does. A
lease can only be deleted once, so its slots are given back once. A tombstone stays a day so
that its holder's renewal answers 410.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction

from concurrency.models import ConcurrencyLease, ReapedConcurrencyLease

from .slots import leases_release

BATCH_SIZE = 100
REAPED_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Lapsed:
    id: UUID
    slots: int
    expires_at: datetime


def lapsed_page(now: datetime) -> list[Lapsed]:
    rows = (
        ConcurrencyLease.objects.filter(expires_at__lt=now)
        .order_by("expires_at", "id")
        .values_list("id", "slots", "expires_at")[:BATCH_SIZE]
    )
    return [Lapsed(id=i, slots=slots, expires_at=at) for i, slots, at in rows]


def lapsed_release(page: list[Lapsed], now: datetime) -> list[UUID]:
    """Release the leases of `page` that are still lapsed and not locked; their ids."""
    with transaction.atomic():
        released = leases_release([lease.id for lease in page], skip_locked=True, lapsed_before=now)
        ReapedConcurrencyLease.objects.bulk_create(
            [ReapedConcurrencyLease(id=lease_id, reaped_at=now) for lease_id in released],
            ignore_conflicts=True,
        )
    return released


def reaped_forget(now: datetime) -> None:
    old = ReapedConcurrencyLease.objects.filter(reaped_at__lt=now - REAPED_KEPT)
    ReapedConcurrencyLease.objects.filter(pk__in=old.values("pk")[:1000]).delete()


def lease_was_reaped(lease_id: UUID) -> bool:
    return ReapedConcurrencyLease.objects.filter(pk=lease_id).exists()
