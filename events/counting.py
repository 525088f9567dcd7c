"""`POST /events/count-by/{countable}`: events counted by time bucket, name or resource
(spec/events.md §8.4).

Time buckets are `time_interval` x `time_unit` wide and aligned to Prefect's pivot,
2024-04-01T00:00Z (a Monday), so days, hours and weeks follow the calendar. Every bucket from
the one holding `since` to the one holding `until` is returned, empty ones with count 0; an
`until` in the future stops at the end of the current unit. The database computes each
event's bucket index in exact integer microseconds (`BucketIndex`).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Count, F, Max, Min
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Event
from events.schemas import EventFilter
from events.sql import event_filter_q
from events.sql.expressions import BucketIndex
from flowruns.api.wire.encoding import dt
from flowruns.errors import DetailError

PIVOT = datetime(2024, 4, 1, tzinfo=UTC)
MAX_BUCKETS = 1000
MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Countable(StrEnum):
    day = "day"
    time = "time"
    event = "event"
    resource = "resource"


class TimeUnit(StrEnum):
    week = "week"
    day = "day"
    hour = "hour"
    minute = "minute"
    second = "second"


_UNIT = {
    TimeUnit.week: timedelta(days=7),
    TimeUnit.day: timedelta(days=1),
    TimeUnit.hour: timedelta(hours=1),
    TimeUnit.minute: timedelta(minutes=1),
    TimeUnit.second: timedelta(seconds=1),
}


def bucket_width(unit: TimeUnit, interval: float) -> timedelta:
    return _UNIT[unit] * interval


def end_of_period(moment: datetime, unit: TimeUnit) -> datetime:
    """The last microsecond of the unit (calendar second ... Monday-based week) `moment` is in."""
    moment = moment.astimezone(UTC)
    if unit == TimeUnit.second:
        start = moment.replace(microsecond=0)
    elif unit == TimeUnit.minute:
        start = moment.replace(second=0, microsecond=0)
    elif unit == TimeUnit.hour:
        start = moment.replace(minute=0, second=0, microsecond=0)
    else:
        start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        if unit == TimeUnit.week:
            start -= timedelta(days=start.weekday())
    return start + _UNIT[unit] - MICROSECOND


def check_bucket_count(since: datetime, until: datetime, width: timedelta) -> None:
    buckets = math.ceil((until - since) / width)
    if buckets > MAX_BUCKETS:
        raise DetailError(
            422,
            f"The given interval would create {buckets} buckets, which is too many. Please "
            "increase the interval or reduce the time range to produce "
            f"{MAX_BUCKETS} buckets or fewer.",
        )


def _count(value: str, label: str, count: int, start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "value": value,
        "label": label,
        "count": count,
        "start_time": dt(start),
        "end_time": dt(end),
    }


def _time_counts(filter: EventFilter, unit: TimeUnit, interval: float) -> list[dict[str, Any]]:
    width = bucket_width(unit, interval)
    since, until = filter.occurred.since, filter.occurred.until
    check_bucket_count(since, until, width)
    width_us = max(1, width // MICROSECOND)
    width = timedelta(microseconds=width_us)
    now = timezone.now()
    end = until if until <= now else end_of_period(now, unit)
    first = (since - PIVOT) // width
    bucket = BucketIndex(F("occurred"), pivot_us=(PIVOT - _EPOCH) // MICROSECOND, width_us=width_us)
    counted = dict(
        Event.objects.filter(event_filter_q(filter))
        .order_by()
        .annotate(bucket=bucket)
        .values_list("bucket")
        .annotate(n=Count("id"))
    )
    counts: list[dict[str, Any]] = []
    start = PIVOT + width * first
    while start < end:
        index = len(counts)
        n = counted.get(first + index, 0)
        counts.append(_count(str(index), start.isoformat(), n, start, start + width - MICROSECOND))
        start += width
    return counts


def _event_counts(filter: EventFilter) -> list[dict[str, Any]]:
    rows = (
        Event.objects.filter(event_filter_q(filter))
        .order_by()
        .values_list("event")
        .annotate(n=Count("id"), oldest=Min("occurred"), latest=Max("occurred"))
    )
    counts = [_count(name, name, n, oldest, latest) for name, n, oldest, latest in rows]
    return sorted(counts, key=lambda c: (-c["count"], c["label"]))


def _resource_counts(filter: EventFilter) -> list[dict[str, Any]]:
    """One row per resource id, labelled as its latest event names it."""
    label = Coalesce(
        KeyTextTransform("prefect.resource.name", "resource"),
        KeyTextTransform("prefect.name", "resource"),
        F("resource_id"),
    )
    rows = (
        Event.objects.filter(event_filter_q(filter))
        .order_by()
        .annotate(label=label)
        .values_list("resource_id", "label")
        .annotate(n=Count("id"), oldest=Min("occurred"), latest=Max("occurred"))
    )
    merged: dict[str, list[Any]] = {}
    for resource_id, name, n, oldest, latest in rows:
        seen = merged.get(resource_id)
        if seen is None:
            merged[resource_id] = [name, n, oldest, latest]
            continue
        if latest > seen[3]:
            seen[0] = name
        seen[1] += n
        seen[2], seen[3] = min(seen[2], oldest), max(seen[3], latest)
    counts = [_count(rid, *values) for rid, values in merged.items()]
    return sorted(counts, key=lambda c: (-c["count"], c["label"]))


def events_count_by(
    filter: EventFilter,
    countable: Countable,
    *,
    time_unit: TimeUnit = TimeUnit.day,
    time_interval: float = 1.0,
) -> list[dict[str, Any]]:
    """EventCount JSON dicts. `day` is `time` with one-day buckets (unit and interval are
    ignored); more than 1000 buckets is a 422 `{"detail": ...}`."""
    if countable == Countable.day:
        return _time_counts(filter, TimeUnit.day, 1.0)
    if countable == Countable.time:
        return _time_counts(filter, time_unit, time_interval)
    if countable == Countable.event:
        return _event_counts(filter)
    return _resource_counts(filter)
