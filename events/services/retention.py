"""Event retention (spec/events.md §9.2), run by `manage.py delete_events`.

* PostgreSQL: the daily partitions whose whole day is older than the retention period are
  dropped (both tables), so an event is kept at least the period and at most a day longer;
  the partitions of yesterday to `EVENTS_PARTITIONS_AHEAD_DAYS` ahead are created.
* SQLite: events older than the period are deleted in batches (one transaction each), with
  their `event_resources` rows.
* Both: per-name overrides (PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES,
  capped by the period) are batched deletes by `(event, occurred)`; an override not shorter
  than the period adds nothing.
* Both: an event stamped beyond the partitions kept ahead (a client clock years ahead) is
  deleted once it was *received* longer ago than the period, so it cannot outlive the period
  (the "min(occurred, received)" rule §9.2 recommends; `occurred` itself is never altered).
  On PostgreSQL its now-empty partition is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from events.conf import event_settings
from events.models import Event, EventResource
from events.schemas import EventOrder
from events.selectors import Key, after_key_q
from events.storage.partitions import (
    day_of,
    day_start,
    is_partitioned,
    partition_sizes,
    partitions_drop,
    partitions_ensure,
    partitions_list,
)


@dataclass(frozen=True)
class RetentionPlan:
    now: datetime
    period: timedelta
    overrides: dict[str, timedelta]
    ahead_days: int

    @property
    def cutoff(self) -> datetime:
        return self.now - self.period

    @property
    def today(self) -> date:
        return day_of(self.now)

    @property
    def days_to_create(self) -> list[date]:
        """Yesterday (late events) to `ahead_days` ahead, unless already expired."""
        days = [self.today + timedelta(days=n) for n in range(-1, self.ahead_days + 1)]
        return [d for d in days if day_start(d + timedelta(days=1)) > self.cutoff]

    @property
    def beyond_ahead(self) -> datetime:
        """Where the partitions kept ahead end: events stamped later are outliers."""
        return day_start(self.today + timedelta(days=self.ahead_days + 1))

    def droppable_days(self) -> list[date]:
        days = {p.day for p in partitions_list()}
        return sorted(d for d in days if day_start(d + timedelta(days=1)) <= self.cutoff)

    def row_rules(self) -> list[tuple[str, Q]]:
        """(description, selection) of every batched delete, in the order they run."""
        rules = []
        if not is_partitioned():
            rules.append((f"older than {self.period}", Q(occurred__lt=self.cutoff)))
        rules.append(
            (
                f"stamped after {self.beyond_ahead:%Y-%m-%d} and received before "
                f"{self.cutoff:%Y-%m-%d %H:%M}",
                Q(occurred__gte=self.beyond_ahead, received__lt=self.cutoff),
            )
        )
        for name, keep in sorted(self.overrides.items()):
            if keep < self.period:
                cut = self.now - keep
                rules.append((f"{name!r} older than {keep}", Q(event=name, occurred__lt=cut)))
        return rules


def retention_plan(
    *, now: datetime | None = None, period: timedelta | None = None
) -> RetentionPlan:
    settings = event_settings()
    return RetentionPlan(
        now=now or timezone.now(),
        period=period or settings.retention_period,
        overrides=settings.retention_overrides,
        ahead_days=settings.partitions_ahead_days,
    )


@dataclass
class Deleted:
    events: int = 0
    resources: int = 0
    batches: int = 0
    longest_batch: float = 0.0
    by_rule: dict[str, int] = field(default_factory=dict)


def _raw_delete(queryset: QuerySet[Any]) -> int:
    """One `DELETE ... WHERE` (no collector: nothing references these rows)."""
    return int(queryset._raw_delete(queryset.db))


def events_delete_in_batches(
    where: Q, *, batch_size: int, on_batch: Callable[[Deleted], None] | None = None
) -> Deleted:
    """Delete matching events and their resource rows, `batch_size` events per transaction,
    walking `(occurred, id)` by keyset."""
    deleted = Deleted()
    last: Key | None = None
    while True:
        rows = Event.objects.filter(where)
        if last is not None:
            rows = rows.filter(after_key_q(last, EventOrder.ASC))
        keys = list(rows.order_by("occurred", "id").values_list("occurred", "id")[:batch_size])
        if not keys:
            return deleted
        ids = [event_id for _, event_id in keys]
        # The occurred bounds let PostgreSQL prune to the partitions involved.
        span = Q(occurred__gte=keys[0][0], occurred__lte=keys[-1][0])
        began = time.monotonic()
        with transaction.atomic():
            deleted.resources += _raw_delete(EventResource.objects.filter(span, event_id__in=ids))
            deleted.events += _raw_delete(Event.objects.filter(span, where, id__in=ids))
        deleted.batches += 1
        deleted.longest_batch = max(deleted.longest_batch, time.monotonic() - began)
        if on_batch is not None:
            on_batch(deleted)
        if len(keys) < batch_size:
            return deleted
        last = keys[-1]


def _drop_empty_outlier_partitions(plan: RetentionPlan) -> list[date]:
    first_outlier_day = day_of(plan.beyond_ahead)
    days = {p.day for p in partitions_list() if p.day >= first_outlier_day}
    empty = [
        day
        for day in sorted(days)
        if not Event.objects.filter(
            occurred__gte=day_start(day), occurred__lt=day_start(day + timedelta(days=1))
        ).exists()
    ]
    return partitions_drop(empty)


@dataclass
class RetentionResult:
    created: list[date]
    dropped: list[date]
    deleted: Deleted


def events_apply_retention(
    plan: RetentionPlan, *, batch_size: int, on_batch: Callable[[Deleted], None] | None = None
) -> RetentionResult:
    """Create upcoming partitions, drop expired ones, then run the batched deletes."""
    created = partitions_ensure(plan.days_to_create)
    dropped = partitions_drop(plan.droppable_days())
    total = Deleted()
    for description, where in plan.row_rules():
        part = events_delete_in_batches(where, batch_size=batch_size, on_batch=on_batch)
        total.events += part.events
        total.resources += part.resources
        total.batches += part.batches
        total.longest_batch = max(total.longest_batch, part.longest_batch)
        total.by_rule[description] = part.events
    if is_partitioned():
        dropped += _drop_empty_outlier_partitions(plan)
    return RetentionResult(created=created, dropped=sorted(dropped), deleted=total)


def retention_preview(plan: RetentionPlan) -> dict[str, Any]:
    """What `events_apply_retention` would do, without changing anything (dry runs)."""
    droppable = plan.droppable_days()
    rows, size = partition_sizes(droppable)
    existing = {p.day for p in partitions_list()}
    return {
        "create": [d for d in plan.days_to_create if d not in existing] if is_partitioned() else [],
        "drop": droppable,
        "drop_rows_estimate": rows,
        "drop_bytes": size,
        "rules": [(text, Event.objects.filter(where).count()) for text, where in plan.row_rules()],
    }
