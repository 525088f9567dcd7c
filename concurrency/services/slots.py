"""Taking and giving back slots of global limits, with or without a lease.

Every acquisition and release runs in one transaction that locks the limit rows it touches
with `SELECT … FOR UPDATE` in id order (so two callers naming the same limits in any order
never deadlock), decides on the decayed counts, and writes the new counts together with the
lease row: a lease exists exactly when its slots are counted. Counts never go below 0.
Lock order everywhere: lease row, then limit rows by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2
from flowruns.errors import DetailError

from .decay import occupancy_averaged, retry_after_seconds, slots_decayed

TOO_MANY = "Slots requested is greater than the limit"
NO_DECAY = (
    "Only concurrency limits with slot decay can be used for rate limiting. "
    "The following limits do not have a decay configured: '{names}'"
)


@dataclass(frozen=True)
class LeaseRequest:
    duration: timedelta
    holder_type: str | None = None
    holder_id: UUID | None = None


@dataclass
class Acquisition:
    limits: list[ConcurrencyLimitV2]
    granted: bool
    retry_after: float = 0.0
    lease_id: UUID | None = None
    refused: list[str] = field(default_factory=list)


def _locked(**lookup: object) -> list[ConcurrencyLimitV2]:
    return list(ConcurrencyLimitV2.objects.select_for_update().filter(**lookup).order_by("id"))


def _write(limit: ConcurrencyLimitV2) -> None:
    limit.save(
        update_fields=["active_slots", "denied_slots", "avg_slot_occupancy_seconds", "updated"]
    )


def _check(active: list[ConcurrencyLimitV2], slots: int, mode: str) -> None:
    if any(limit.limit < slots for limit in active):
        raise DetailError(422, TOO_MANY)
    if mode == "rate_limit":
        missing = [limit.name for limit in active if limit.slot_decay_per_second == 0]
        if missing:
            raise DetailError(422, NO_DECAY.format(names=", ".join(missing)))


def lease_insert(
    limits: Iterable[ConcurrencyLimitV2], slots: int, request: LeaseRequest, now: datetime
) -> ConcurrencyLease:
    lease = ConcurrencyLease.objects.create(
        created=now,
        expires_at=now + request.duration,
        slots=slots,
        holder_type=request.holder_type,
        holder_id=request.holder_id,
    )
    link = ConcurrencyLease.limits.through
    link.objects.bulk_create(
        [link(concurrencylease_id=lease.id, concurrencylimitv2_id=limit.id) for limit in limits]
    )
    return lease


def slots_take(
    *, names: list[str], slots: int, mode: str = "concurrency", lease: LeaseRequest | None = None
) -> Acquisition:
    """All-or-nothing: take `slots` on every active limit named, or on none (and count the
    refusal in `denied_slots`). Unknown names are ignored; inactive limits take nothing."""
    with transaction.atomic():
        now = timezone.now()
        limits = _locked(name__in=set(names))
        active = [limit for limit in limits if limit.active]
        _check(active, slots, mode)
        decayed = {limit.id: slots_decayed(limit, now) for limit in active}
        granted = all(decayed[lim.id].active + slots <= lim.limit for lim in active)
        if not granted:
            retry_after = retry_after_seconds(active, slots, now)
        for limit in active:
            limit.active_slots = decayed[limit.id].active + (slots if granted else 0)
            limit.denied_slots = decayed[limit.id].denied + (0 if granted else slots)
            limit.updated = now
            _write(limit)
        if not granted:
            return Acquisition(limits=limits, granted=False, retry_after=retry_after)
        # A lease over no limit holds nothing: not stored (renewing it answers 204,
        # releasing it finds nothing), which keeps untracked tags off the database.
        lease_id = (
            None if lease is None or not limits else lease_insert(limits, slots, lease, now).id
        )
        return Acquisition(limits=limits, granted=True, lease_id=lease_id)


def _give_back(
    limits: Iterable[ConcurrencyLimitV2], slots: int, occupancy: float | None, now: datetime
) -> None:
    for limit in limits:
        if not limit.active:
            continue
        decayed = slots_decayed(limit, now)
        limit.active_slots = max(0, decayed.active - slots)
        limit.denied_slots = decayed.denied
        if occupancy is not None and limit.limit > 0:
            limit.avg_slot_occupancy_seconds = occupancy_averaged(limit, occupancy, slots)
        limit.updated = now
        _write(limit)


def slots_release(
    *, names: list[str], slots: int, occupancy_seconds: float | None = None
) -> list[ConcurrencyLimitV2]:
    """Give `slots` back on every active limit named (never below 0); all limits found."""
    with transaction.atomic():
        limits = _locked(name__in=set(names))
        _give_back(limits, slots, occupancy_seconds, timezone.now())
        return limits


def leases_release(
    lease_ids: Iterable[UUID], *, skip_locked: bool = False, lapsed_before: datetime | None = None
) -> list[UUID]:
    """Delete the leases and give their slots back (inside the caller's transaction).
    Returns the ids actually released: an unknown (already released) id releases nothing.
    With `lapsed_before`, only leases that expired before it (checked under the lock)."""
    now = timezone.now()
    leases_found = ConcurrencyLease.objects.select_for_update(skip_locked=skip_locked).filter(
        pk__in=list(lease_ids)
    )
    if lapsed_before is not None:
        leases_found = leases_found.filter(expires_at__lt=lapsed_before)
    leases = list(leases_found.order_by("id"))
    if not leases:
        return []
    covered = ConcurrencyLease.limits.through.objects.filter(
        concurrencylease_id__in=[lease.id for lease in leases]
    ).values_list("concurrencylease_id", "concurrencylimitv2_id")
    by_lease: dict[UUID, list[UUID]] = {}
    for lease_id, limit_id in covered:
        by_lease.setdefault(lease_id, []).append(limit_id)
    limits = {
        limit.id: limit for limit in _locked(pk__in={i for v in by_lease.values() for i in v})
    }
    for lease in leases:
        held = [limits[i] for i in by_lease.get(lease.id, []) if i in limits]
        occupancy = max((now - lease.created).total_seconds(), 0.0)
        _give_back(held, lease.slots, occupancy, now)
    ConcurrencyLease.objects.filter(pk__in=[lease.id for lease in leases]).delete()
    return [lease.id for lease in leases]


def lease_release(lease_id: UUID) -> bool:
    with transaction.atomic():
        return bool(leases_release([lease_id]))


def lease_extend(lease_id: UUID, duration: timedelta) -> bool:
    """A lease that still exists (even past its expiry, until reaped) lives `duration` more."""
    expires_at = timezone.now() + duration
    return bool(ConcurrencyLease.objects.filter(pk=lease_id).update(expires_at=expires_at))
