"""Sums of history units grouped by requested bucket: each bucket's whole hours from the hourly
table, its ragged hours from the 10-minute slots, in one query over both levels."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from flowruns.counters.layout import HISTORY_LEVELS, RUNNING, SLOT_MICROS
from flowruns.models import FlowRun
from flowruns.selectors.run_metrics import epoch_micros_of

from .shapes import CounterShape

StateKey = tuple[str | None, str | None]
Span = tuple[int, int]  # [lo, hi) in units of one level


@dataclass
class StateSums:
    count_runs: int = 0
    sum_estimated_run_time: float = 0.0
    sum_estimated_lateness: float = 0.0


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


def _unusable(*, level: int, skip: set[int], now_us: int) -> set[int]:
    """Units of a level that must be read finer: those holding a skipped slot, and the one
    `now` falls strictly inside (part of it has passed, part not)."""
    unit = HISTORY_LEVELS[level][1]
    per_unit = unit // SLOT_MICROS
    bad = {s // per_unit for s in skip}
    if now_us % unit:
        bad.add(now_us // unit)
    return bad


def cover(*, lo: int, hi: int, level: int, bad: list[set[int]], spans: list[list[Span]]) -> None:
    """Split the slots `[lo, hi)` into runs of whole usable units, coarsest level first,
    appending them to `spans[level]`; slots in `bad[0]` are left out altogether."""
    if lo >= hi:
        return
    per_unit = HISTORY_LEVELS[level][1] // SLOT_MICROS
    first, end = -(-lo // per_unit), hi // per_unit
    if level and first >= end:
        cover(lo=lo, hi=hi, level=level - 1, bad=bad, spans=spans)
        return
    if level:
        cover(lo=lo, hi=first * per_unit, level=level - 1, bad=bad, spans=spans)
    run = first
    for u in range(first, end + 1):
        if u < end and u not in bad[level]:
            continue
        if run < u:
            spans[level].append((run, u))
        if u < end and level:
            cover(lo=u * per_unit, hi=(u + 1) * per_unit, level=level - 1, bad=bad, spans=spans)
        run = u + 1
    if level:
        cover(lo=end * per_unit, hi=hi, level=level - 1, bad=bad, spans=spans)


def level_spans(
    *, start_us: int, interval_us: int, count: int, skip: set[int], now_us: int
) -> list[list[Span]]:
    """Per level, the unit ranges lying wholly inside one bucket that the sums answer."""
    bad = [
        skip if level == 0 else _unusable(level=level, skip=skip, now_us=now_us)
        for level in range(len(HISTORY_LEVELS))
    ]
    spans: list[list[Span]] = [[] for _ in HISTORY_LEVELS]
    for k in range(count):
        a = start_us + k * interval_us
        lo, hi = -(-a // SLOT_MICROS), (a + interval_us) // SLOT_MICROS
        cover(lo=lo, hi=hi, level=len(HISTORY_LEVELS) - 1, bad=bad, spans=spans)
    return spans


def _level_select(
    *,
    level: int,
    spans: list[Span],
    shape: CounterShape,
    start_us: int,
    interval_us: int,
    now_us: int,
    params: list[Any],
    bucket: str | None = None,
) -> str:
    """One level's rows in `spans`, with their bucket index (`bucket` overrides it)."""
    table, unit = HISTORY_LEVELS[level]
    passed = f"slot < {now_us // unit}"  # units that ended at or before `now`
    # Σ n·slot per level (never n·slot·unit: that product could overflow a bigint).
    t0s = []
    for other in range(len(HISTORY_LEVELS)):
        if other == level:
            t0s += ["running_n * slot", f"CASE WHEN {passed} THEN waiting_n * slot ELSE 0 END"]
        else:
            t0s += ["0", "0"]
    # Integers computed here, written as literals: fewer parameters for the driver to splice.
    ranges = " OR ".join(f"(slot >= {int(lo)} AND slot < {int(hi)})" for lo, hi in spans)
    where = f"({ranges})"
    for column, values in (("state_type", shape.state_types), ("state_name", shape.state_names)):
        if values is not None:
            where += f" AND {column} IN ({', '.join('%s' for _ in values)})"
            params += list(values)
    if bucket is None:
        bucket = f"(slot * {unit} - {start_us}) / {interval_us}"
    return (
        f"SELECT {bucket} AS bucket, state_type,"
        " state_name, n, run_time_us, running_n, running_base_us, irregular_n, late_us,"
        f" CASE WHEN {passed} THEN waiting_n ELSE 0 END AS waiting_n,"
        f" CASE WHEN {passed} THEN waiting_base_us ELSE 0 END AS waiting_base_us,"
        f" {', '.join(f'{t0} AS t{i}' for i, t0 in enumerate(t0s))} FROM {table} WHERE {where}"
    )


_SUMMED = (
    "n",
    "run_time_us",
    "running_n",
    "running_base_us",
    "irregular_n",
    "late_us",
    "waiting_n",
    "waiting_base_us",
)


def slot_sums(
    *,
    shape: CounterShape,
    start: datetime,
    interval_us: int,
    count: int,
    now: datetime,
    skip: set[int],
    cuts: Collection[int] = (),
) -> tuple[dict[int, dict[StateKey, StateSums]], set[int], dict[int, dict[StateKey, StateSums]]]:
    """Per bucket index and state, the sums of the units wholly inside that bucket (except the
    slots in `skip`); the buckets that must be answered from rows altogether (a RUNNING run
    with a negative total run time, which the linear sums cannot clamp); and per slot of
    `cuts` (slots a bucket edge cuts, read whole for `history.py` to split), its own sums,
    leaving out those the sums cannot answer."""
    start_us, now_us = epoch_micros_of(start), epoch_micros_of(now)
    spans = level_spans(
        start_us=start_us, interval_us=interval_us, count=count, skip=skip, now_us=now_us
    )
    params: list[Any] = []
    frame: dict[str, Any] = {
        "shape": shape,
        "start_us": start_us,
        "interval_us": interval_us,
        "now_us": now_us,
    }
    selects = [
        _level_select(level=level, spans=level_spans_, params=params, **frame)
        for level, level_spans_ in enumerate(spans)
        if level_spans_
    ]
    if cuts:
        # A cut slot's rows come back under bucket -1 - slot: never a real bucket's index.
        cut_spans = [(slot, slot + 1) for slot in sorted(cuts)]
        selects.append(
            _level_select(level=0, spans=cut_spans, params=params, bucket="-1 - slot", **frame)
        )
    sums: dict[int, dict[StateKey, StateSums]] = {}
    cut_sums: dict[int, dict[StateKey, StateSums]] = {slot: {} for slot in cuts}
    if not selects:
        return sums, set(), cut_sums
    t0_columns = [f"t{i}" for i in range(2 * len(HISTORY_LEVELS))]
    sql = (
        f"SELECT bucket, state_type, state_name,"
        f" {', '.join(f'SUM({c})' for c in (*_SUMMED, *t0_columns))}"
        f" FROM ({' UNION ALL '.join(selects)}) AS u"
        " GROUP BY bucket, state_type, state_name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    units = [unit for _, unit in HISTORY_LEVELS]
    from_rows: set[int] = set()
    for bucket, state_type, state_name, *summed in rows:
        # PostgreSQL sums bigints as numeric: back to exact Python ints.
        n, run_time, running_n, running_base, irregular, late, waiting_n, waiting_base, *t0 = (
            int(v or 0) for v in summed
        )
        bucket = int(bucket)
        if irregular:
            from_rows.add(bucket)
        if not n:
            continue
        running_t0 = sum(unit * t0[2 * i] for i, unit in enumerate(units))
        waiting_t0 = sum(unit * t0[2 * i + 1] for i, unit in enumerate(units))
        run_time_us = run_time + running_base + running_n * now_us - running_t0
        lateness_us = late + waiting_base + waiting_n * now_us - waiting_t0
        target = cut_sums.setdefault(-1 - bucket, {}) if bucket < 0 else sums.setdefault(bucket, {})
        target[(state_type, state_name)] = StateSums(
            n, run_time_us / 1_000_000, lateness_us / 1_000_000
        )
    for bucket in from_rows:
        if bucket < 0:
            cut_sums.pop(-1 - bucket, None)
        else:
            sums.pop(bucket, None)
    return sums, {bucket for bucket in from_rows if bucket >= 0}, cut_sums
