"""Reads of concurrency limits and leases."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.utils import timezone

from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2


def tag_limit_holders(limits: Iterable[ConcurrencyLimitV2]) -> dict[UUID, list[str]]:
    """For each limit, the task runs holding an unexpired lease on it (the v1 `active_slots`),
    in the order they took it; one query for any number of limits."""
    through = ConcurrencyLease.limits.through
    ids = [limit.id for limit in limits]
    rows = (
        through.objects.filter(
            concurrencylimitv2_id__in=ids,
            concurrencylease__holder_type="task_run",
            concurrencylease__expires_at__gt=timezone.now(),
        )
        .order_by("concurrencylease__created", "concurrencylease_id")
        .values_list("concurrencylimitv2_id", "concurrencylease__holder_id")
    )
    holders: dict[UUID, list[str]] = {limit_id: [] for limit_id in ids}
    for limit_id, holder_id in rows:
        holders[limit_id].append(str(holder_id))
    return holders
