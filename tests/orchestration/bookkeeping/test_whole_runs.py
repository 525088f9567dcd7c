"""Bookkeeping over whole transitions: in full under force, and consistent across a run's life."""

from __future__ import annotations

from datetime import timedelta

from orchestration import CoreFlowPolicy, MinimalFlowPolicy, ResponseStatus, StateType
from tests.orchestration.helpers import (
    NOW,
    FlowRunSimulator,
    flow_run,
    make_state,
    proposal,
    run_flow,
)

S = StateType


def test_bookkeeping_runs_in_full_under_force() -> None:
    result = run_flow(
        make_state(S.RUNNING, timestamp=NOW - timedelta(seconds=30)),
        proposal(S.COMPLETED),
        policy=MinimalFlowPolicy,
        run=flow_run(run_count=1, start_time=NOW - timedelta(seconds=30)),
    )

    assert dict(result.run_updates) == {
        "state_type": S.COMPLETED,
        "state_name": "Completed",
        "state_timestamp": NOW,
        "end_time": NOW,
        "total_run_time": timedelta(seconds=30),
        "expected_start_time": NOW,
    }


def test_a_whole_run_is_booked_consistently() -> None:
    sim = FlowRunSimulator()
    scheduled = sim.now + timedelta(seconds=2)
    sim.create(S.SCHEDULED, scheduled_time=scheduled)
    sim.propose(S.PENDING)
    sim.advance(1)
    assert sim.propose(S.RUNNING).status is ResponseStatus.ACCEPT
    started = sim.run.start_time
    sim.advance(10)
    sim.propose(S.COMPLETED, policy=CoreFlowPolicy)

    run = sim.run
    assert run.expected_start_time == scheduled
    assert run.next_scheduled_start_time is None
    assert started is not None and run.start_time == started
    assert run.end_time is not None and run.end_time - started == timedelta(seconds=11)
    assert run.total_run_time == timedelta(seconds=11)
    assert run.run_count == 1
    assert (run.state_type, run.state_name) == (S.COMPLETED, "Completed")
