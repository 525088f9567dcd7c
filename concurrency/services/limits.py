"""Creating, changing and deleting global limits, and the v1 tag-limit adapter.

A tag limit is the global limit named `tag:<tag>` (as Prefect 3.8 maps them).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2

from .decay import TAG_PREFIX
from .slots import LeaseRequest, lease_insert, leases_release

FOREVER = timedelta(days=365 * 100)  # leases of the v1 routes: never renewed, never lapse


def limit_create(**fields: Any) -> ConcurrencyLimitV2:
    """A duplicate name raises IntegrityError (the API's 409) and leaves the caller's
    transaction usable."""
    with transaction.atomic():
        return ConcurrencyLimitV2.objects.create(**fields)


def limit_update(row: ConcurrencyLimitV2, /, **fields: Any) -> None:
    """Write the given fields (and bump `updated`, the decay clock). A new `active_slots`
    or `denied_slots` is the count as of now."""
    with transaction.atomic():
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated = timezone.now()
        row.save(update_fields=[*fields, "updated"])


def limit_delete(limit: ConcurrencyLimitV2) -> None:
    """Its leases stay; releasing them later finds nothing to give back."""
    limit.delete()


def tag_limit_name(tag: str) -> str:
    return f"{TAG_PREFIX}{tag}"


def tag_limit_upsert(tag: str, concurrency_limit: int) -> tuple[ConcurrencyLimitV2, bool]:
    with transaction.atomic():
        limit, created = ConcurrencyLimitV2.objects.select_for_update().get_or_create(
            name=tag_limit_name(tag), defaults={"limit": concurrency_limit}
        )
        if not created:
            limit_update(limit, limit=concurrency_limit)
        return limit, created


def _leases_revoke(limit: ConcurrencyLimitV2) -> None:
    """Release every lease covering `limit` (giving back their slots on all their limits)."""
    lease_ids = list(ConcurrencyLease.objects.filter(limits=limit).values_list("pk", flat=True))
    leases_release(lease_ids)


def tag_limit_reset(limit: ConcurrencyLimitV2, slot_override: list[UUID] | None) -> None:
    """Drop its holders; then each task run of `slot_override` holds one slot. Unlike
    Prefect (which leaks the revoked slots), `active_slots` ends equal to the holders."""
    with transaction.atomic():
        _leases_revoke(limit)
        limit.refresh_from_db()
        holders = slot_override or []
        limit_update(limit, active_slots=len(holders), denied_slots=0)
        now = timezone.now()
        for task_run_id in holders:
            request = LeaseRequest(FOREVER, holder_type="task_run", holder_id=task_run_id)
            lease_insert([limit], 1, request, now)


def tag_limit_delete(limit: ConcurrencyLimitV2) -> None:
    with transaction.atomic():
        _leases_revoke(limit)
        limit.delete()


def task_run_leases_release(limits: list[ConcurrencyLimitV2], task_run_id: UUID) -> None:
    """v1 decrement: release the task run's leases on these limits."""
    with transaction.atomic():
        lease_ids = ConcurrencyLease.objects.filter(
            limits__in=limits, holder_type="task_run", holder_id=task_run_id
        ).values_list("pk", flat=True)
        leases_release(set(lease_ids))
