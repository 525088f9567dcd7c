"""History's time arithmetic is exact to the microsecond on both backends: bucket edges place a
run one microsecond either side of an edge in the right bucket, and the time sums are the
double nearest the exact difference (what Python computes from whole microseconds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Q

from flowruns.filters.bodies import FlowRunHistoryQuery
from flowruns.selectors.history import flow_run_history
from flowruns.selectors.run_counters.history import flow_run_history_matching
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 0, 0, 0, 123_457, tzinfo=UTC)
INTERVAL_US = 7_000_003  # 7.000003 s: no edge lies on a whole second
NOW = datetime(2026, 3, 1, 0, 5, 0, 999_999, tzinfo=UTC)
US = timedelta(microseconds=1)


def _histories(*, count: int) -> list[list]:
    args = {
        "start": START,
        "end": START + count * INTERVAL_US * US,
        "interval_seconds": INTERVAL_US / 1_000_000,
        "now": NOW,
    }
    query = FlowRunHistoryQuery.model_validate({})
    return [
        flow_run_history(where=Q(), **args),
        flow_run_history_matching(query=query, **args),
    ]


def test_runs_a_microsecond_either_side_of_a_bucket_edge_fall_in_their_buckets():
    for k in (1, 2, 3):
        edge = START + k * INTERVAL_US * US
        FlowRunFactory(state_type="COMPLETED", expected_start_time=edge - US, start_time=None)
        FlowRunFactory(state_type="FAILED", expected_start_time=edge, start_time=None)

    for buckets in _histories(count=4):
        counts = [sorted((s["state_type"], s["count_runs"]) for s in b.states) for b in buckets]
        assert counts == [
            [("COMPLETED", 1)],
            [("COMPLETED", 1), ("FAILED", 1)],
            [("COMPLETED", 1), ("FAILED", 1)],
            [("FAILED", 1)],
        ]


def test_lateness_and_run_time_are_the_double_nearest_the_exact_difference():
    late_us = 1_234_567_654_321  # about 14 days, every digit significant
    FlowRunFactory(
        state_type="COMPLETED",
        expected_start_time=START,
        start_time=START + late_us * US,
        total_run_time=0.0,
    )
    stamped = START + 3 * US
    FlowRunFactory(
        state_type="RUNNING",
        expected_start_time=START + 5 * US,
        start_time=START + 5 * US,
        state_timestamp=stamped,
        total_run_time=0.0,
    )
    running_us = (NOW - stamped) // US

    for buckets in _histories(count=1):
        states = {s["state_type"]: s for s in buckets[0].states}
        assert states["COMPLETED"]["sum_estimated_lateness"] == late_us / 1_000_000
        assert states["RUNNING"]["sum_estimated_run_time"] == running_us / 1_000_000
