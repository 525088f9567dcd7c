"""The reference profile's rows (the Prefect comparison's data set), without a database."""

import json
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.seeding.draw import Draw
from flowruns.seeding.mix import REFERENCE_FLOWS, REFERENCE_MIX
from flowruns.seeding.reference import ExactDealer, ReferenceRunFactory, exact_counts
from flowruns.seeding.rows import RUN_COLUMNS, STATE_COLUMNS, FlowSpec

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ANCHOR = NOW - timedelta(days=3)  # a window that does not end now, to see which bound is which
RUNS = 20_000
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def us(moment):
    return int(moment.timestamp() * 1_000_000)


def flows():
    return [
        FlowSpec(uuid.UUID(int=k + 1), name, (), (), ()) for k, name in enumerate(REFERENCE_FLOWS)
    ]


def generate(seed=7, runs=RUNS):
    factory = ReferenceRunFactory(
        flows=flows(),
        now_us=us(NOW),
        anchor_us=us(ANCHOR),
        rng=random.Random(seed),
        total_runs=runs,
    )
    runs_out, states_out = [], []
    for batch in factory.batches(runs, 5000, {}):
        runs_out += [dict(zip(RUN_COLUMNS, row, strict=True)) for row in batch.runs]
        states_out += [dict(zip(STATE_COLUMNS, row, strict=True)) for row in batch.states]
    return runs_out, states_out


@pytest.fixture(scope="module")
def sample():
    return generate()


def share(rows, predicate):
    return sum(1 for row in rows if predicate(row)) / len(rows)


def test_state_counts_are_exactly_the_reference_mix(sample):
    runs, _ = sample
    counts = Counter(run["state_type"] for run in runs)
    assert counts == {kind: round(fraction * RUNS) for kind, fraction in REFERENCE_MIX}


def test_exact_counts_add_up_for_awkward_totals():
    for total in (0, 1, 7, 99, 1_000_001):
        counts = exact_counts(REFERENCE_MIX, total)
        assert sum(counts) == total
        assert all(abs(c - f * total) < 1 for c, (_, f) in zip(counts, REFERENCE_MIX, strict=True))


def test_the_dealer_keeps_dealing_by_weight_past_its_total():
    dealer = ExactDealer(Draw(random.Random(1)), REFERENCE_MIX, 10)
    dealt = Counter(dealer.deal() for _ in range(10_010))
    assert abs(dealt["COMPLETED"] / 10_010 - 0.60) < 0.02


def test_one_state_row_per_run_and_the_run_points_at_it(sample):
    runs, states = sample
    by_id = {state["id"]: state for state in states}
    assert len(states) == len(runs) == len(by_id)
    for run in runs:
        state = by_id[run["state_id"]]
        assert state["flow_run_id"] == run["id"]
        assert (state["type"], state["name"]) == (run["state_type"], run["state_name"])
        assert state["name"] == run["state_type"].capitalize()
        assert state["timestamp"] == run["state_timestamp"] == run["updated"]


def test_expected_start_times_fall_in_their_windows(sample):
    runs, _ = sample
    month = timedelta(days=30)
    for run in runs:
        expected = run["expected_start_time"]
        if run["state_type"] == "SCHEDULED":
            soon = NOW + timedelta(hours=1)
            assert soon <= expected <= soon + timedelta(days=7)
            assert run["next_scheduled_start_time"] == expected
            assert NOW - timedelta(days=1) <= run["created"] <= NOW
        else:
            end = ANCHOR - timedelta(days=2) if run["state_type"] == "CANCELLED" else ANCHOR
            assert end - month <= expected <= end
            assert run["next_scheduled_start_time"] is None
            assert expected - timedelta(hours=1) <= run["created"] <= expected


def test_expected_start_times_are_uniform_over_the_month(sample):
    runs, _ = sample
    finished = [run for run in runs if run["state_type"] in ("COMPLETED", "FAILED")]
    days = Counter(
        int((ANCHOR - run["expected_start_time"]) / timedelta(days=1)) for run in finished
    )
    assert set(days) == set(range(30))
    expected = len(finished) / 30
    assert all(abs(count - expected) < 0.2 * expected for count in days.values())


def test_start_end_and_run_time_follow_the_state(sample):
    runs, _ = sample
    for run in runs:
        kind, start, end = run["state_type"], run["start_time"], run["end_time"]
        if kind in ("SCHEDULED", "PENDING"):
            assert (start, end, run["run_count"], run["total_run_time"]) == (None, None, 0, 0.0)
            continue
        assert run["run_count"] == 1
        assert timedelta(0) <= start - run["expected_start_time"] <= timedelta(seconds=60)
        if kind in TERMINAL:
            assert 10 <= (end - start).total_seconds() <= 600
            assert run["total_run_time"] == pytest.approx((end - start).total_seconds())
            assert run["state_timestamp"] == end
        else:  # RUNNING
            assert (end, run["total_run_time"], run["state_timestamp"]) == (None, 0.0, start)


def test_tags_are_one_team_one_env_and_sometimes_high_priority(sample):
    runs, _ = sample
    tags = [json.loads(run["tags"]) for run in runs]
    assert all(t[0].startswith("team-") and t[1] in ("env:prod", "env:dev") for t in tags)
    assert all(t[2:] in ([], ["priority:high"]) for t in tags)
    teams = Counter(t[0] for t in tags)
    assert sorted(teams) == [f"team-{k}" for k in range(10)]
    assert all(abs(n / RUNS - 0.10) < 0.02 for n in teams.values())
    assert abs(share(tags, lambda t: t[1] == "env:prod") - 0.50) < 0.02
    assert abs(share(tags, lambda t: "priority:high" in t) - 0.30) < 0.02


def test_runs_spread_evenly_over_the_ten_flows_without_deployments(sample):
    runs, _ = sample
    per_flow = Counter(run["flow_id"] for run in runs)
    assert set(per_flow) == {flow.id for flow in flows()}
    assert all(abs(n / RUNS - 0.10) < 0.02 for n in per_flow.values())
    assert all(run["deployment_id"] is None and run["work_queue_id"] is None for run in runs)
    assert all(
        json.loads(run["labels"]) == {"prefect.flow.id": str(run["flow_id"])} for run in runs
    )


def test_scheduled_states_carry_their_scheduled_time(sample):
    runs, states = sample
    by_id = {state["id"]: state for state in states}
    for run in runs[:2000]:
        details = json.loads(by_id[run["state_id"]]["state_details"])
        assert details["flow_run_id"] == run["id"]
        if run["state_type"] == "SCHEDULED":
            scheduled = datetime.fromisoformat(details["scheduled_time"].replace("Z", "+00:00"))
            assert abs(scheduled - run["expected_start_time"]) < timedelta(microseconds=2)
        else:
            assert details["scheduled_time"] is None


def test_the_same_seed_gives_the_same_rows():
    assert generate(3, 500) == generate(3, 500)
    assert generate(3, 500)[0] != generate(4, 500)[0]
