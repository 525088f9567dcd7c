"""/history from slots plus raw edges equals the plain aggregate query, on ragged intervals,
intervals that are not a multiple of the slot, `now` inside a bucket or a slot, RUNNING runs
(some with state timestamps after `now` or negative run times), late and future SCHEDULED runs,
and after deletes and tag updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flowruns.filters.bodies import FlowRunHistoryQuery
from flowruns.models import FlowRun
from flowruns.selectors.history import Bucket, flow_run_history
from flowruns.selectors.run_counters.history import flow_run_history_matching
from tests.factories import FlowRunFactory
from tests.flowruns.counters.runs import NOW, make_runs

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def both(
    body: dict[str, Any], *, start: datetime, end: datetime, interval: float, now: datetime
) -> tuple[list[Bucket], list[Bucket]]:
    query = FlowRunHistoryQuery.model_validate(body)
    args = {"start": start, "end": end, "interval_seconds": interval, "now": now}
    return (
        flow_run_history_matching(query=query, **args),
        flow_run_history(where=query.q(), **args),
    )


def assert_same(ours: list[Bucket], plain: list[Bucket]) -> None:
    assert [(b.interval_start, b.interval_end) for b in ours] == [
        (b.interval_start, b.interval_end) for b in plain
    ]
    for mine, theirs in zip(ours, plain, strict=True):
        keys = ("state_type", "state_name", "count_runs")
        assert [tuple(s[k] for k in keys) for s in mine.states] == [
            tuple(s[k] for k in keys) for s in theirs.states
        ]
        for s, t in zip(mine.states, theirs.states, strict=True):
            for total in ("sum_estimated_run_time", "sum_estimated_lateness"):
                assert s[total] == pytest.approx(t[total], rel=1e-9, abs=1e-6)


CASES = [
    # (start offset from NOW, span, buckets or interval seconds, now offset)
    pytest.param(-3 * DAY, 5 * DAY, 24, timedelta(0), id="whole-range-24-ragged"),
    pytest.param(-2 * DAY, 2 * DAY, 7, timedelta(0), id="ending-at-now"),
    pytest.param(-2 * DAY, 3 * DAY, 13, -timedelta(hours=5, seconds=7), id="now-mid-bucket"),
    pytest.param(-3 * DAY, 6 * DAY, 500, timedelta(0), id="many-narrow-buckets"),
    pytest.param(-DAY, DAY, 1, 10 * DAY, id="one-bucket-long-after"),
    pytest.param(-DAY, 2 * DAY, 4, -10 * DAY, id="all-in-the-future-of-now"),
]


@pytest.mark.parametrize(("offset", "span", "buckets", "now_shift"), CASES)
def test_history_equals_the_plain_query(offset, span, buckets, now_shift):
    make_runs(400)
    start = NOW + offset
    now = NOW + now_shift

    ours, plain = both(
        {}, start=start, end=start + span, interval=span.total_seconds() / buckets, now=now
    )

    assert sum(s["count_runs"] for b in plain for s in b.states) > 0
    assert_same(ours, plain)


@pytest.mark.parametrize("interval", [1, 599.5, 600, 601, 3600, 7 * 3600 + 13.25])
def test_intervals_smaller_larger_and_not_multiples_of_the_slot(interval):
    make_runs(300)
    start = NOW - timedelta(hours=20, minutes=3, seconds=1)

    ours, plain = both({}, start=start, end=start + DAY, interval=interval, now=NOW)

    assert_same(ours, plain)


@pytest.mark.parametrize(
    "body",
    [
        {"flow_runs": {"state": {"type": {"any_": ["RUNNING", "SCHEDULED"]}}}},
        {"flow_runs": {"state": {"name": {"any_": ["Late"]}}}},
        {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}, "name": {"any_": ["Late"]}}}},
        {"flow_runs": {"tags": {"all_": ["team-1"]}}},  # not covered: the query
        {"work_queues": {}},
    ],
)
def test_filtered_history_equals_the_plain_query(body):
    make_runs(300)
    start = NOW - 2 * DAY

    ours, plain = both(body, start=start, end=start + 3 * DAY, interval=3 * 3600 + 17, now=NOW)

    assert_same(ours, plain)


def test_running_runs_stamped_after_now_or_with_negative_run_time_are_exact():
    make_runs(100)
    expected = NOW - DAY + timedelta(minutes=7)
    FlowRunFactory(
        state_type="RUNNING", expected_start_time=expected, state_timestamp=NOW + DAY
    )  # its estimate is clamped at zero
    FlowRunFactory(
        state_type="RUNNING",
        expected_start_time=expected,
        state_timestamp=NOW - timedelta(hours=1),
        total_run_time=-7200.0,
    )

    ours, plain = both({}, start=NOW - 2 * DAY, end=NOW, interval=3600 * 6, now=NOW)

    assert_same(ours, plain)


def test_deletes_and_tag_updates_are_reflected():
    make_runs(300)
    FlowRun.objects.filter(state_type="FAILED").delete()
    FlowRun.objects.filter(state_type="RUNNING").update(tags=["x"], total_run_time=3.5)

    ours, plain = both({}, start=NOW - 3 * DAY, end=NOW + DAY, interval=5000, now=NOW)

    assert_same(ours, plain)


def test_aligned_buckets_away_from_now_read_no_run_rows():
    make_runs(200)
    start = datetime(2026, 3, 7, 0, 0, tzinfo=NOW.tzinfo)

    with CaptureQueriesContext(connection) as queries:
        ours, plain = both({}, start=start, end=start + 2 * DAY, interval=3600, now=NOW + DAY)

    assert_same(ours, plain)
    ours_sql = [q["sql"] for q in queries.captured_queries][:-1]  # the last is the plain query
    assert any("flow_run_history_hour" in sql for sql in ours_sql)
    assert not any("flow_run_history_slot" in sql for sql in ours_sql)  # whole hours only
    assert not any("GROUP BY" in sql and '"flow_run"' in sql for sql in ours_sql)


@pytest.mark.parametrize(
    "now",
    [
        NOW.replace(minute=20, second=0, microsecond=0),  # on a slot edge inside an hour
        NOW.replace(minute=0, second=0, microsecond=0),  # on an hour edge
        NOW,  # inside a slot
    ],
)
def test_waiting_runs_around_now_in_whole_hours_are_exact(now):
    for minutes in (-70, -45, -25, -15, -5, 5, 15, 25, 45, 70):
        FlowRunFactory(state_type="PENDING", expected_start_time=now + timedelta(minutes=minutes))
        FlowRunFactory(
            state_type="RUNNING",
            expected_start_time=now + timedelta(minutes=minutes, seconds=1),
            state_timestamp=now - timedelta(minutes=3),
        )
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)

    ours, plain = both({}, start=start, end=start + DAY, interval=6 * 3600, now=now)

    assert_same(ours, plain)
    assert sum(s["count_runs"] for b in ours for s in b.states) == 20


def test_a_run_stamped_after_now_inside_a_whole_hour_is_clamped():
    make_runs(100)
    FlowRunFactory(
        state_type="RUNNING",
        expected_start_time=NOW - DAY + timedelta(minutes=3),
        state_timestamp=NOW + timedelta(hours=2),
        total_run_time=50.0,
    )
    start = (NOW - 2 * DAY).replace(minute=0, second=0, microsecond=0)

    ours, plain = both({}, start=start, end=start + 2 * DAY, interval=12 * 3600, now=NOW)

    assert_same(ours, plain)


def test_empty_range_has_no_buckets():
    ours, plain = both({}, start=NOW, end=NOW, interval=60, now=NOW)

    assert ours == plain == []


def test_runs_in_the_slot_holding_now_are_late_only_before_now():
    for seconds in (-200, -5, 5, 200):  # NOW is 12:34:56: all four share its 10-minute slot
        FlowRunFactory(state_type="PENDING", expected_start_time=NOW + timedelta(seconds=seconds))

    start = NOW.replace(hour=0, minute=0, second=0, microsecond=0)  # hours hold whole slots

    ours, plain = both({}, start=start, end=start + DAY, interval=3600, now=NOW)

    assert_same(ours, plain)
    lateness = sum(s["sum_estimated_lateness"] for b in ours for s in b.states)
    assert lateness == pytest.approx(205.0)


# ---- slots cut by a bucket edge: the smaller side from runs, the other from the sums -------
SLOT = timedelta(minutes=10)
# 2026-03-09 06:00 UTC: a slot (and hour) boundary, two days before NOW's slot.
ALIGNED = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)


def _runs_across(slot_start: datetime, *, state_type: str = "COMPLETED", step: int = 37) -> None:
    """A run every `step` seconds through the slot starting at `slot_start`."""
    for seconds in range(1, 600, step):
        FlowRunFactory(
            state_type=state_type,
            expected_start_time=slot_start + timedelta(seconds=seconds),
            start_time=slot_start + timedelta(seconds=seconds + 3),
            total_run_time=float(seconds),
            state_timestamp=NOW - timedelta(hours=1),  # RUNNING ones: not skipped
        )


def _spans_read(monkeypatch) -> list[tuple[datetime, datetime]]:
    import flowruns.selectors.run_counters.history as module

    read: list[tuple[datetime, datetime]] = []
    original = module.history_rows

    def recording(**kwargs):
        read.extend(kwargs.get("spans") or [])
        return original(**kwargs)

    monkeypatch.setattr(module, "history_rows", recording)
    return read


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("edge_offset", "read_side"),
    [
        (timedelta(minutes=2), "left"),  # 2 min before the edge, 8 after: read the 2
        (timedelta(minutes=7, seconds=30), "right"),  # 7.5 before, 2.5 after: read the 2.5
        (timedelta(minutes=5), "left"),  # a tie reads the left
    ],
)
def test_a_cut_slot_reads_runs_on_its_smaller_side_only(monkeypatch, edge_offset, read_side):
    cut = ALIGNED + 3 * SLOT
    for slot in range(6):
        _runs_across(ALIGNED + slot * SLOT)
    read = _spans_read(monkeypatch)
    edge = cut + edge_offset
    start = edge - 2 * 3600 * timedelta(seconds=1)

    ours, plain = both({}, start=start, end=edge + 2 * timedelta(hours=1), interval=7200, now=NOW)

    assert_same(ours, plain)
    assert sum(s["count_runs"] for b in ours for s in b.states) == 6 * 17
    smaller = (cut, edge) if read_side == "left" else (edge, cut + SLOT)
    larger = (edge, cut + SLOT) if read_side == "left" else (cut, edge)
    assert smaller in read
    assert not any(lo <= larger[0] and larger[1] <= hi for lo, hi in read)


@pytest.mark.postgres
def test_a_state_whose_runs_all_lie_on_the_read_side_is_not_listed_in_the_other_bucket():
    cut = ALIGNED + 3 * SLOT
    edge = cut + timedelta(minutes=3)
    FlowRunFactory(state_type="CRASHED", expected_start_time=cut + timedelta(minutes=1))
    _runs_across(cut, step=61)

    ours, plain = both(
        {}, start=edge - timedelta(hours=1), end=edge + timedelta(hours=1), interval=3600, now=NOW
    )

    assert_same(ours, plain)
    assert [s["state_type"] for s in ours[1].states] == ["COMPLETED"]


@pytest.mark.parametrize(
    "irregular_at",
    [
        timedelta(minutes=31),  # in the cut slot itself, on its smaller side
        timedelta(minutes=32, seconds=30),  # in the cut slot, on its larger side
        timedelta(minutes=75),  # elsewhere in the bucket the larger side belongs to
        -timedelta(minutes=15),  # elsewhere in the bucket the smaller side belongs to
    ],
)
def test_cut_slots_next_to_what_the_sums_cannot_answer_are_exact(irregular_at):
    """A RUNNING run with a negative run time makes its bucket (or the cut slot) come from
    runs: the split must then not be used, and the answer stays exact."""
    for slot in range(-6, 12):
        _runs_across(ALIGNED + slot * SLOT, state_type="RUNNING", step=53)
    FlowRunFactory(
        state_type="RUNNING",
        expected_start_time=ALIGNED + irregular_at,
        state_timestamp=NOW - timedelta(hours=1),
        total_run_time=-7200.0,
    )
    edge = ALIGNED + timedelta(minutes=32)

    ours, plain = both(
        {}, start=edge - timedelta(hours=1), end=edge + timedelta(hours=1), interval=3600, now=NOW
    )

    assert_same(ours, plain)


@pytest.mark.parametrize(
    "body",
    [{}, {"flow_runs": {"state": {"type": {"any_": ["FAILED", "RUNNING"]}}}}],
)
@pytest.mark.parametrize("interval", [600, 601, 3 * 3600 + 7.25, 86400])
def test_every_edge_cut_anywhere_equals_the_plain_query(body, interval):
    make_runs(400)
    start = NOW - timedelta(days=2, minutes=4, seconds=3.5)

    ours, plain = both(body, start=start, end=start + 2 * DAY, interval=interval, now=NOW)

    assert_same(ours, plain)
