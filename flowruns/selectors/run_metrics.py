"""SQL expressions for time arithmetic on runs, identical on PostgreSQL and SQLite.

Timestamps become exact integer microseconds since the epoch (no floating-point day counts),
so bucket edges in /history are placed exactly: a run at a bucket's start is in that bucket.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.functions import Greatest

from orchestration.states import TERMINAL_TYPES, StateType

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_micros_of(value: datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


class EpochMicros(Func):
    """Microseconds since 1970-01-01 UTC of a datetime column, as an exact integer."""

    output_field = BigIntegerField()
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # EXTRACT(EPOCH ...) is numeric (exact) on PostgreSQL 14+.
        template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS BIGINT)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC): whole seconds from strftime (its
        # `%s` escaped twice: once for the template, once for the backend's placeholders),
        # microseconds from the text after the dot.
        template = (
            "(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) * 1000000"
            " + COALESCE(CAST(NULLIF(substr(%(expressions)s, 21, 6), '') AS INTEGER), 0))"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


class SecondsBetween(Func):
    """`later - earlier` in seconds (a float), exact to the microsecond on both backends: the
    double nearest the exact difference.

    PostgreSQL subtracts the timestamps and reads the interval's seconds as one exact numeric
    instead of two `EpochMicros` (numeric each) subtracted and divided: with `BucketIndex`,
    a history aggregate over 65k runs went from 112 to 45 ms. SQLite subtracts the two
    `EpochMicros` integers. `later` may be a datetime (`now`)."""

    output_field = FloatField()
    arity = 2

    def __init__(self, later: Any, earlier: Any) -> None:
        self.now = later if isinstance(later, datetime) else None
        later = Value(later, output_field=DateTimeField()) if self.now else later
        super().__init__(later, earlier)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        later, earlier = self.get_source_expressions()
        later_us = (
            Value(epoch_micros_of(self.now), output_field=BigIntegerField())
            if self.now
            else EpochMicros(later)
        )
        seconds = (later_us - EpochMicros(earlier)) / Value(1_000_000.0)
        return compiler.compile(ExpressionWrapper(seconds, output_field=FloatField()))


class BucketIndex(Func):
    """Which of `count` buckets `[start + k·interval, start + (k+1)·interval)` a datetime
    column falls in (`k`), for values at or after `start`; the interval in microseconds.

    PostgreSQL finds `k` among the bucket edges by binary search (`width_bucket` over a
    timestamptz array, exact comparisons); SQLite divides `EpochMicros`. Both are exact."""

    output_field = BigIntegerField()
    arity = 1

    def __init__(self, column: str, *, start: datetime, interval_us: int, count: int) -> None:
        self.start, self.interval_us, self.count = start, interval_us, count
        super().__init__(F(column))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (column,) = self.get_source_expressions()
        edges = [
            self.start + timedelta(microseconds=k * self.interval_us) for k in range(1, self.count)
        ]
        sql, params = compiler.compile(column)
        return f"width_bucket({sql}, %s::timestamptz[])", (*params, edges)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (column,) = self.get_source_expressions()
        start_us = Value(epoch_micros_of(self.start), output_field=BigIntegerField())
        index = (EpochMicros(column) - start_us) / Value(
            self.interval_us, output_field=BigIntegerField()
        )
        return compiler.compile(ExpressionWrapper(index, output_field=BigIntegerField()))


def estimated_run_time(now: datetime) -> Case:
    """total_run_time, plus the time in the current RUNNING state (seconds)."""
    running = SecondsBetween(now, F("state_timestamp"))
    return Case(
        When(
            state_type=StateType.RUNNING,
            state_timestamp__isnull=False,
            then=F("total_run_time") + running,
        ),
        default=F("total_run_time"),
        output_field=FloatField(),
    )


def estimated_lateness(now: datetime) -> Case:
    """How late the run started, or — not started and not finished — how late it is now."""
    started_late = Q(
        start_time__isnull=False,
        expected_start_time__isnull=False,
        start_time__gt=F("expected_start_time"),
    )
    still_waiting = Q(
        start_time__isnull=True,
        expected_start_time__isnull=False,
        expected_start_time__lt=now,
    ) & ~Q(state_type__in=TERMINAL_TYPES)
    return Case(
        When(
            started_late,
            then=SecondsBetween(F("start_time"), F("expected_start_time")),
        ),
        When(still_waiting, then=SecondsBetween(now, F("expected_start_time"))),
        default=Value(0.0),
        output_field=FloatField(),
    )


def non_negative(expression: Any) -> Greatest:
    return Greatest(Value(0.0), expression, output_field=FloatField())
