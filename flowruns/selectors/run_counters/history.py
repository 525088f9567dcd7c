"""`/flow_runs/history` from history slots plus the raw rows at the ragged edges.

Each requested bucket `[a, b)` is answered as: the slots lying wholly inside it, from their
sums; the rest (the parts of the slots cut by `a` and `b`, the slot holding `now`, and any slot
the sums cannot answer) from `flow_run` through the same query as without counters, restricted
to those time ranges. Filters the slots do not cover (anything but no filter or states) take
the query for everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from flowruns.counters.layout import SLOT_MICROS
from flowruns.filters.bodies import FlowRunHistoryQuery
from flowruns.selectors.history import Bucket, empty_buckets, flow_run_history, history_rows
from flowruns.selectors.run_metrics import EPOCH, epoch_micros_of

from .shapes import counter_shape
from .slots import StateKey, StateSums, slot_sums, slots_needing_rows

Span = tuple[int, int]  # [start, end) in epoch microseconds


@dataclass(frozen=True)
class Cut:
    """A slot that an interior bucket edge cuts in two: its smaller side (`raw`, in bucket
    `raw_bucket`) is summed from runs; the other side, in bucket `derived`, is the slot's sums
    less those runs. Reading runs for the smaller side only reads a quarter of a slot per edge
    on average, half at most, instead of the whole slot."""

    slot: int
    raw: Span
    raw_bucket: int
    derived: int


def _cuts(*, start_us: int, interval_us: int, count: int, skip: set[int]) -> dict[int, Cut]:
    """Per interior edge index `k` (the start of bucket `k`) lying strictly inside a slot the
    sums answer, how to split that slot. Only for buckets at least a slot wide, so no slot
    holds two edges."""
    if interval_us < SLOT_MICROS:
        return {}
    cuts: dict[int, Cut] = {}
    for k in range(1, count):
        edge = start_us + k * interval_us
        slot, offset = divmod(edge, SLOT_MICROS)
        if not offset or slot in skip:
            continue
        lo, hi = slot * SLOT_MICROS, (slot + 1) * SLOT_MICROS
        if edge - lo <= hi - edge:
            cuts[k] = Cut(slot=slot, raw=(lo, edge), raw_bucket=k - 1, derived=k)
        else:
            cuts[k] = Cut(slot=slot, raw=(edge, hi), raw_bucket=k, derived=k - 1)
    return cuts


def _raw_spans(
    *,
    start_us: int,
    interval_us: int,
    count: int,
    answered: set[int],
    skip: set[int],
    cut_edges: set[int],
) -> list[Span]:
    """The time ranges the slots do not answer, merged where they touch; the parts of slots
    cut at `cut_edges` are left to their `Cut`."""
    spans: list[Span] = []
    for k in range(count):
        a = start_us + k * interval_us
        b = a + interval_us
        first, end = -(-a // SLOT_MICROS), b // SLOT_MICROS
        if k not in answered or first > end:
            spans.append((a, b))
            continue
        if k not in cut_edges:
            spans.append((a, first * SLOT_MICROS))
        spans += [
            (s * SLOT_MICROS, (s + 1) * SLOT_MICROS) for s in sorted(skip) if first <= s < end
        ]
        if k + 1 not in cut_edges:
            spans.append((end * SLOT_MICROS, b))
    merged: list[Span] = []
    for lo, hi in sorted(span for span in spans if span[0] < span[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _add(states: dict[StateKey, StateSums], key: StateKey, other: StateSums, sign: int = 1) -> None:
    state = states.setdefault(key, StateSums())
    state.count_runs += sign * other.count_runs
    state.sum_estimated_run_time += sign * other.sum_estimated_run_time
    state.sum_estimated_lateness += sign * other.sum_estimated_lateness


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
    # Splitting cut slots needs each span's runs apart: PostgreSQL's per-span query gives that.
    cuts = (
        _cuts(start_us=start_us, interval_us=interval_us, count=count, skip=skip)
        if connection.vendor == "postgresql"
        else {}
    )
    sums, from_rows, cut_sums = slot_sums(
        shape=shape,
        start=start,
        interval_us=interval_us,
        count=count,
        now=now,
        skip=skip,
        cuts={cut.slot for cut in cuts.values()},
    )
    answered = set(range(count)) - from_rows
    usable = [
        (k, cut)
        for k, cut in sorted(cuts.items())
        if cut.slot in cut_sums and {cut.derived, cut.raw_bucket} <= answered
    ]
    for _, cut in usable:
        for key, slot_state in cut_sums[cut.slot].items():
            _add(sums.setdefault(cut.derived, {}), key, slot_state)
    spans = _raw_spans(
        start_us=start_us,
        interval_us=interval_us,
        count=count,
        answered=answered,
        skip=skip,
        cut_edges={k for k, _ in usable},
    )
    all_spans = spans + [cut.raw for _, cut in usable]
    if all_spans:
        rows = history_rows(
            where=where,
            start=start,
            interval_us=interval_us,
            count=count,
            now=now,
            spans=[(_instant(lo), _instant(hi)) for lo, hi in all_spans],
        )
        for row in rows:
            key = (row["state_type"], row["state_name"])
            found = StateSums(
                row["count_runs"], row["sum_estimated_run_time"], row["sum_estimated_lateness"]
            )
            _add(sums.setdefault(row["bucket"], {}), key, found)
            if row.get("span", -1) >= len(spans):  # the raw side of a cut slot
                derived = usable[row["span"] - len(spans)][1].derived
                _add(sums.setdefault(derived, {}), key, found, sign=-1)
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
            if s.count_runs  # a cut slot's runs may all lie on its raw side
        ]
    return buckets
