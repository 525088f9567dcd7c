"""SQL expressions for time arithmetic on runs, identical on PostgreSQL and SQLite.

Timestamps become exact integer microseconds since the epoch (no floating-point day counts),
so bucket edges in /history are placed exactly: a run at a bucket's start is in that bucket.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    F,
    FloatField,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.expressions import Combinable
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


def _seconds_between(later: Combinable, earlier: Combinable) -> Combinable:
    return (later - earlier) / Value(1_000_000.0)


def estimated_run_time(now: datetime) -> Case:
    """total_run_time, plus the time in the current RUNNING state (seconds)."""
    now_us = Value(epoch_micros_of(now), output_field=BigIntegerField())
    running = _seconds_between(now_us, EpochMicros("state_timestamp"))
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
    now_us = Value(epoch_micros_of(now), output_field=BigIntegerField())
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
            then=_seconds_between(EpochMicros("start_time"), EpochMicros("expected_start_time")),
        ),
        When(still_waiting, then=_seconds_between(now_us, EpochMicros("expected_start_time"))),
        default=Value(0.0),
        output_field=FloatField(),
    )


def non_negative(expression: Any) -> Greatest:
    return Greatest(Value(0.0), expression, output_field=FloatField())
