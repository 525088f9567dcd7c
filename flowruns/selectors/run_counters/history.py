"""`/flow_runs/history` from history slots plus the raw rows at the ragged edges.

Each requested bucket `[a, b)` is answered as: the slots lying wholly inside it, from their
sums; the rest (the parts of the slots cut by `a` and `b`, the slot holding `now`, and any slot
the sums cannot answer) from `flow_run` through the same query as without counters, restricted
to those time ranges. Filters the slots do not cover (anything but no filter or states) take
the query for everything.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection

from flowruns.counters.layout import SLOT_MICROS
from flowruns.filters.bodies import FlowRunHistoryQuery
from flowruns.selectors.history import Bucket, empty_buckets, flow_run_history, history_rows
from flowruns.selectors.run_metrics import EPOCH, epoch_micros_of

from .shapes import counter_shape
from .slots import StateKey, StateSums, slot_sums, slots_needing_rows

Span = tuple[int, int]  # [start, end) in epoch microseconds


def _raw_spans(
    *, start_us: int, interval_us: int, count: int, answered: set[int], skip: set[int]
) -> list[Span]:
    """The time ranges the slots do not answer, merged where they touch."""
    spans: list[Span] = []
    for k in range(count):
        a = start_us + k * interval_us
        b = a + interval_us
        first, end = -(-a // SLOT_MICROS), b // SLOT_MICROS
        if k not in answered or first >= end:
            spans.append((a, b))
            continue
        spans.append((a, first * SLOT_MICROS))
        spans += [
            (s * SLOT_MICROS, (s + 1) * SLOT_MICROS) for s in sorted(skip) if first <= s < end
        ]
        spans.append((end * SLOT_MICROS, b))
    merged: list[Span] = []
    for lo, hi in sorted(span for span in spans if span[0] < span[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _instant(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _sort_key(key: StateKey) -> tuple[object, ...]:
    """The database's ORDER BY state_type, state_name: NULLs last on PostgreSQL, first on
    SQLite; text in code-point order (the C collation)."""
    nulls_last = connection.vendor == "postgresql"
    return tuple(((v is None) == nulls_last, v or "") for v in key)


def flow_run_history_matching(
    *,
    query: FlowRunHistoryQuery,
    start: datetime,
    end: datetime,
    interval_seconds: float,
    now: datetime,
) -> list[Bucket]:
    """What `flow_run_history(where=query.q(), ...)` answers, from the slots where it can."""
    shape = counter_shape(
        flows=query.flows,
        flow_runs=query.flow_runs,
        others=(query.task_runs, query.deployments, query.work_pools, query.work_queues),
    )
    where = query.q()
    if shape is None or shape.tag is not None or shape.flow_ids is not None:
        return flow_run_history(
            where=where, start=start, end=end, interval_seconds=interval_seconds, now=now
        )
    buckets, interval_us = empty_buckets(start=start, end=end, interval_seconds=interval_seconds)
    if not buckets:
        return []
    count = len(buckets)
    start_us = epoch_micros_of(start)
    skip = slots_needing_rows(shape=shape, first=start, last=buckets[-1].interval_end, now=now)
    sums, from_rows = slot_sums(
        shape=shape, start=start, interval_us=interval_us, count=count, now=now, skip=skip
    )
    answered = set(range(count)) - from_rows
    spans = _raw_spans(
        start_us=start_us, interval_us=interval_us, count=count, answered=answered, skip=skip
    )
    if spans:
        rows = history_rows(
            where=where,
            start=start,
            interval_us=interval_us,
            count=count,
            now=now,
            spans=[(_instant(lo), _instant(hi)) for lo, hi in spans],
        )
        for row in rows:
            state = sums.setdefault(row["bucket"], {}).setdefault(
                (row["state_type"], row["state_name"]), StateSums()
            )
            state.count_runs += row["count_runs"]
            state.sum_estimated_run_time += row["sum_estimated_run_time"]
            state.sum_estimated_lateness += row["sum_estimated_lateness"]
    for k, states in sums.items():
        buckets[k].states = [
            {
                "state_type": key[0],
                "state_name": key[1],
                "count_runs": s.count_runs,
                "sum_estimated_run_time": s.sum_estimated_run_time,
                "sum_estimated_lateness": s.sum_estimated_lateness,
            }
            for key, s in sorted(states.items(), key=lambda item: _sort_key(item[0]))
        ]
    return buckets
