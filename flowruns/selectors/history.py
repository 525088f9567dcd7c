"""Flow-run history: counts and time sums per (bucket, state) in one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import BigIntegerField, Count, Q, Sum, Value

from flowruns.models import FlowRun

from .run_metrics import (
    EpochMicros,
    epoch_micros_of,
    estimated_lateness,
    estimated_run_time,
    non_negative,
)

MAX_BUCKETS = 500


@dataclass
class Bucket:
    interval_start: datetime
    interval_end: datetime
    states: list[dict[str, Any]] = field(default_factory=list)


def empty_buckets(
    *, start: datetime, end: datetime, interval_seconds: float
) -> tuple[list[Bucket], int]:
    """Buckets `[start + k·interval, start + (k+1)·interval)` while their start is before
    `end` (at most 500), with the interval in whole microseconds."""
    if end <= start:
        return [], 1
    interval_us = max(1, round(interval_seconds * 1_000_000))
    span_us = epoch_micros_of(end) - epoch_micros_of(start)
    count = min(MAX_BUCKETS, -(-span_us // interval_us))
    interval = timedelta(microseconds=interval_us)
    return [
        Bucket(start + k * interval, start + (k + 1) * interval) for k in range(count)
    ], interval_us


def history_rows(
    *, where: Q, start: datetime, interval_us: int, count: int, now: datetime
) -> list[dict[str, Any]]:
    """Per (bucket index, state type, state name) of the runs matching `where` whose expected
    start falls in the `count` buckets: `count_runs` and the two time sums (seconds)."""
    start_us = Value(epoch_micros_of(start), output_field=BigIntegerField())
    rows = (
        FlowRun.objects.filter(
            where,
            expected_start_time__gte=start,
            expected_start_time__lt=start + count * timedelta(microseconds=interval_us),
        )
        .annotate(
            bucket=(EpochMicros("expected_start_time") - start_us)
            / Value(interval_us, output_field=BigIntegerField())
        )
        .values("bucket", "state_type", "state_name")
        .annotate(
            count_runs=Count("id"),
            sum_estimated_run_time=Sum(non_negative(estimated_run_time(now))),
            sum_estimated_lateness=Sum(non_negative(estimated_lateness(now))),
        )
        .order_by("bucket", "state_type", "state_name")
    )
    return [
        {
            "bucket": int(row["bucket"]),
            "state_type": row["state_type"],
            "state_name": row["state_name"],
            "count_runs": row["count_runs"],
            "sum_estimated_run_time": float(row["sum_estimated_run_time"] or 0.0),
            "sum_estimated_lateness": float(row["sum_estimated_lateness"] or 0.0),
        }
        for row in rows
    ]


def flow_run_history(
    *, where: Q, start: datetime, end: datetime, interval_seconds: float, now: datetime
) -> list[Bucket]:
    """A run falls in the bucket holding its expected start time (see `empty_buckets`)."""
    buckets, interval_us = empty_buckets(start=start, end=end, interval_seconds=interval_seconds)
    if not buckets:
        return []
    rows = history_rows(
        where=where, start=start, interval_us=interval_us, count=len(buckets), now=now
    )
    for row in rows:
        state = {key: value for key, value in row.items() if key != "bucket"}
        buckets[row["bucket"]].states.append(state)
    return buckets
