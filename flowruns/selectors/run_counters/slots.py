"""Sums of history slots grouped by requested bucket, for the slots that lie wholly inside
one bucket and can be answered from sums at `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When

from flowruns.counters.layout import RUNNING, SLOT_MICROS
from flowruns.models import FlowRun, FlowRunHistorySlot
from flowruns.selectors.run_metrics import epoch_micros_of

from .shapes import CounterShape

StateKey = tuple[str | None, str | None]


@dataclass
class StateSums:
    count_runs: int = 0
    sum_estimated_run_time: float = 0.0
    sum_estimated_lateness: float = 0.0


def _int(value: int) -> Value:
    return Value(value, output_field=BigIntegerField())


def slots_needing_rows(
    *, shape: CounterShape, first: datetime, last: datetime, now: datetime
) -> set[int]:
    """Slots whose sums cannot give the answer at `now`: the one `now` falls strictly inside
    (runs in it are late or not depending on where `now` is), and those holding a RUNNING run
    whose state timestamp is after `now` (its estimated run time may be clamped at zero)."""
    now_us = epoch_micros_of(now)
    slots = {now_us // SLOT_MICROS} if now_us % SLOT_MICROS else set()
    if shape.state_types is None or RUNNING in shape.state_types:
        running_ahead = FlowRun.objects.filter(
            state_type=RUNNING,
            state_timestamp__gt=now,
            expected_start_time__gte=first,
            expected_start_time__lt=last,
        ).values_list("expected_start_time", flat=True)
        slots |= {epoch_micros_of(v) // SLOT_MICROS for v in running_ahead if v is not None}
    return slots


def _slot_rows(
    *, shape: CounterShape, start_us: int, interval_us: int, count: int, skip: set[int]
) -> Any:  # annotated with `bucket`, which the model type does not know
    """The slots lying wholly inside one bucket, as one slot range per bucket (ranges the
    planner estimates well, so it hashes ~30k rows instead of sorting them on disk)."""
    inside = []
    for k in range(count):
        a = start_us + k * interval_us
        first, end = -(-a // SLOT_MICROS), (a + interval_us) // SLOT_MICROS
        if first < end:
            inside.append(Q(slot__gte=first, slot__lt=end))
    rows = FlowRunHistorySlot.objects.filter(reduce(or_, inside, Q(pk__in=[])))
    rows = rows.exclude(slot__in=sorted(skip)).annotate(
        bucket=(F("slot") * _int(SLOT_MICROS) - _int(start_us)) / _int(interval_us)
    )
    if shape.state_types is not None:
        rows = rows.filter(state_type__in=shape.state_types)
    if shape.state_names is not None:
        rows = rows.filter(state_name__in=shape.state_names)
    return rows


def slot_sums(
    *,
    shape: CounterShape,
    start: datetime,
    interval_us: int,
    count: int,
    now: datetime,
    skip: set[int],
) -> tuple[dict[int, dict[StateKey, StateSums]], set[int]]:
    """Per bucket index and state, the sums of the slots wholly inside that bucket (except
    `skip`); and the buckets that must be answered from rows altogether (a RUNNING run with a
    negative total run time, which the linear sums cannot clamp)."""
    start_us = epoch_micros_of(start)
    now_us = epoch_micros_of(now)
    passed = {"slot__lt": now_us // SLOT_MICROS}  # slots that ended at or before `now`

    def when_passed(expression: Any) -> Sum:
        case = Case(
            When(then=expression, **passed), default=_int(0), output_field=BigIntegerField()
        )
        return Sum(case, output_field=BigIntegerField())

    rows = (
        _slot_rows(shape=shape, start_us=start_us, interval_us=interval_us, count=count, skip=skip)
        .values("bucket", "state_type", "state_name")
        .annotate(
            n_sum=Sum("n"),
            run_time=Sum("run_time_us"),
            running_n_sum=Sum("running_n"),
            running_base=Sum("running_base_us"),
            running_slots=Sum(F("running_n") * F("slot"), output_field=BigIntegerField()),
            irregular=Sum("irregular_n"),
            late=Sum("late_us"),
            waiting_n_sum=when_passed(F("waiting_n")),
            waiting_base=when_passed(F("waiting_base_us")),
            waiting_slots=when_passed(F("waiting_n") * F("slot")),
        )
        .order_by()
    )
    sums: dict[int, dict[StateKey, StateSums]] = {}
    from_rows: set[int] = set()
    for summed in rows:
        # PostgreSQL sums bigints as numeric: back to exact Python ints.
        row: dict[str, Any] = {
            k: v if k in ("state_type", "state_name") else int(v or 0) for k, v in summed.items()
        }
        bucket = row["bucket"]
        if row["irregular"]:
            from_rows.add(bucket)
        if not row["n_sum"]:
            continue
        run_time_us = (
            row["run_time"]
            + row["running_base"]
            + row["running_n_sum"] * now_us
            - SLOT_MICROS * row["running_slots"]
        )
        lateness_us = (
            row["late"]
            + row["waiting_base"]
            + row["waiting_n_sum"] * now_us
            - SLOT_MICROS * row["waiting_slots"]
        )
        key: StateKey = (row["state_type"], row["state_name"])
        sums.setdefault(bucket, {})[key] = StateSums(
            row["n_sum"], run_time_us / 1_000_000, lateness_us / 1_000_000
        )
    for bucket in from_rows:
        sums.pop(bucket, None)
    return sums, from_rows
