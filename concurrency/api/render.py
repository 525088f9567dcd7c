"""The answers' shapes, keys in Prefect's order (spec/concurrency.md §1.2, §5)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from concurrency.models import ConcurrencyLimitV2
from concurrency.selectors import tag_limit_holders
from concurrency.services.decay import TAG_PREFIX, slots_decayed
from flowruns.api.wire.encoding import dt


def limit_full(limit: ConcurrencyLimitV2) -> dict[str, Any]:
    return {
        "id": str(limit.id),
        "created": dt(limit.created),
        "updated": dt(limit.updated),
        "active": limit.active,
        "name": limit.name,
        "limit": limit.limit,
        "active_slots": limit.active_slots,
        "denied_slots": limit.denied_slots,
        "slot_decay_per_second": limit.slot_decay_per_second,
        "avg_slot_occupancy_seconds": limit.avg_slot_occupancy_seconds,
    }


def limit_read(limit: ConcurrencyLimitV2) -> dict[str, Any]:
    """The read shape: `active_slots` as decayed now."""
    return {
        "id": str(limit.id),
        "created": dt(limit.created),
        "updated": dt(limit.updated),
        "active": limit.active,
        "name": limit.name,
        "limit": limit.limit,
        "active_slots": slots_decayed(limit, timezone.now()).active,
        "slot_decay_per_second": limit.slot_decay_per_second,
    }


def limit_minimal(limit: ConcurrencyLimitV2, name: str | None = None) -> dict[str, Any]:
    return {"id": str(limit.id), "name": limit.name if name is None else name, "limit": limit.limit}


def tag_limits(limits: list[ConcurrencyLimitV2]) -> list[dict[str, Any]]:
    holders = tag_limit_holders(limits)
    return [_tag_limit(limit, holders[limit.id]) for limit in limits]


def tag_limit(limit: ConcurrencyLimitV2) -> dict[str, Any]:
    return tag_limits([limit])[0]


def _tag_limit(limit: ConcurrencyLimitV2, holders: list[str]) -> dict[str, Any]:
    return {
        "id": str(limit.id),
        "created": dt(limit.created),
        "updated": dt(limit.updated),
        "tag": limit.name.removeprefix(TAG_PREFIX),
        "concurrency_limit": limit.limit,
        "active_slots": holders,
    }
