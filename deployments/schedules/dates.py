"""The dates a stored schedule produces (spec/deployments.md §12.1): computed in the schedule's
timezone, from the first occurrence at or after `start` (inclusive), without duplicates (DST),
examining at most `MAX_CANDIDATES` occurrences per call."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from dateutil.rrule import rrulestr

MAX_CANDIDATES = 1000


def _zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def schedule_dates(schedule: dict[str, Any], *, start: datetime) -> Iterator[datetime]:
    """Occurrences ≥ `start`, ascending, aware in the schedule's timezone."""
    if "interval" in schedule:
        candidates = _interval_dates(schedule, start)
    elif "cron" in schedule:
        candidates = _cron_dates(schedule, start)
    else:
        candidates = _rrule_dates(schedule, start)
    seen: set[datetime] = set()
    for date in islice(candidates, MAX_CANDIDATES):
        if date < start or date in seen:
            continue
        seen.add(date)
        yield date


def _interval_dates(schedule: dict[str, Any], start: datetime) -> Iterator[datetime]:
    """`anchor + k·interval`: whole days as calendar days in the timezone (09:00 stays 09:00
    local across DST), the rest as absolute seconds."""
    zone = _zone(schedule.get("timezone"))
    interval = timedelta(seconds=float(schedule["interval"]))
    anchor = datetime.fromisoformat(schedule["anchor_date"].replace("Z", "+00:00"))
    if anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=UTC)
    local_anchor = anchor.astimezone(zone).replace(tzinfo=None)
    days = timedelta(days=interval.days)
    rest = interval - days
    # The first k whose occurrence could be ≥ start (one step early: DST shifts by ≤ 1 day).
    k = max(0, math.floor((start - anchor) / interval) - 1) if start > anchor else 0
    while True:
        local = local_anchor + k * days
        yield local.replace(tzinfo=zone) + k * rest if days else anchor + k * interval
        k += 1


def _cron_dates(schedule: dict[str, Any], start: datetime) -> Iterator[datetime]:
    zone = _zone(schedule.get("timezone"))
    # croniter answers occurrences strictly after its start: begin just before `start`.
    begin = (start - timedelta(microseconds=1)).astimezone(zone)
    it = croniter(schedule["cron"], begin, day_or=schedule.get("day_or", True))
    while True:
        yield it.get_next(datetime).astimezone(zone)


def _rrule_dates(schedule: dict[str, Any], start: datetime) -> Iterator[datetime]:
    """dateutil semantics, a floating DTSTART (and UNTIL) read in the schedule's timezone."""
    zone = _zone(schedule.get("timezone"))
    rule = rrulestr(schedule["rrule"], cache=False)
    first = getattr(rule, "_dtstart", None)
    if first is None:  # an rruleset: its first rule decides
        rules = getattr(rule, "_rrule", [])
        first = rules[0]._dtstart if rules else None
    floating = first is None or first.tzinfo is None
    begin = start.astimezone(zone).replace(tzinfo=None) if floating else start
    for date in rule.xafter(begin, count=MAX_CANDIDATES, inc=True):
        yield date.replace(tzinfo=zone) if date.tzinfo is None else date.astimezone(zone)


def dates_to_schedule(
    schedule: dict[str, Any],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    min_runs: int,
    max_runs: int,
    min_time: timedelta,
) -> list[datetime]:
    """The dates one pass schedules (spec §12.3): in order from `start`, never more than
    `max_runs`, never later than `end`; stop once there are `min_runs` *and* the last reaches
    `now + min_time`."""
    chosen: list[datetime] = []
    horizon = now + min_time
    for date in schedule_dates(schedule, start=start):
        if len(chosen) >= max_runs or date > end:
            break
        chosen.append(date)
        if len(chosen) >= min_runs and date >= horizon:
            break
    return chosen
