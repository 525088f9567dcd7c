"""The run's denormalised state fields follow the state that is written, and nothing is
recorded when nothing is written (GlobalFlowPolicy)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration import FlowRunPolicy, StateType
from tests.orchestration.helpers import NOW, flow_run, make_state, proposal, run_flow

S = StateType


def test_state_fields_follow_the_written_state() -> None:
    result = run_flow(make_state(S.PENDING), proposal(S.RUNNING, name="Running fast"))

    assert result.run_updates["state_type"] is S.RUNNING
    assert result.run_updates["state_name"] == "Running fast"
    assert result.run_updates["state_timestamp"] == NOW


def test_state_fields_follow_a_replacement_not_the_proposal() -> None:
    result = run_flow(
        make_state(S.RUNNING),
        proposal(S.FAILED),
        run=flow_run(run_count=1, empirical_policy=FlowRunPolicy(retries=1)),
    )

    assert result.run_updates["state_type"] is S.SCHEDULED
    assert result.run_updates["state_name"] == "AwaitingRetry"
    assert result.run_updates["next_scheduled_start_time"] == NOW


@pytest.mark.parametrize("status_source", ["wait", "abort", "null-reject"])
def test_nothing_is_recorded_when_nothing_is_written(status_source: str) -> None:
    current, proposed = {
        "wait": (make_state(S.SCHEDULED, scheduled_time=NOW + timedelta(hours=1)), S.RUNNING),
        "abort": (make_state(S.RUNNING), S.PENDING),
        "null-reject": (make_state(S.CANCELLING), S.COMPLETED),
    }[status_source]

    result = run_flow(current, proposal(proposed))

    assert result.state is None
    assert result.run_updates == {}
