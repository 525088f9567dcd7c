"""SetStartTime, SetEndTime, IncrementRunTime, SetExpectedStartTime and
SetNextScheduledStartTime (GlobalFlowPolicy)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration import StateType
from orchestration.rules import (
    IncrementRunTime,
    SetEndTime,
    SetExpectedStartTime,
    SetNextScheduledStartTime,
    SetStartTime,
)
from tests.orchestration.helpers import EARLIER, NOW, flow_ctx, flow_run, make_state, proposal

S = StateType

LONG_AGO = NOW - timedelta(hours=1)


def test_start_time_is_set_on_the_first_running_only() -> None:
    first = SetStartTime().before_transition(flow_ctx(make_state(S.PENDING), proposal(S.RUNNING)))
    later = SetStartTime().before_transition(
        flow_ctx(make_state(S.PENDING), proposal(S.RUNNING), run=flow_run(start_time=LONG_AGO))
    )

    assert first.run == {"start_time": NOW}
    assert later.run == {}


@pytest.mark.parametrize("proposed_type", [S.SCHEDULED, S.PENDING, S.PAUSED, S.COMPLETED])
def test_start_time_is_not_set_by_other_states(proposed_type: StateType) -> None:
    decision = SetStartTime().before_transition(flow_ctx(None, proposal(proposed_type)))

    assert "start_time" not in decision.run


def test_end_time_is_set_on_the_first_terminal_state() -> None:
    ctx = flow_ctx(make_state(S.RUNNING), proposal(S.COMPLETED), run=flow_run(start_time=LONG_AGO))

    assert SetEndTime().before_transition(ctx).run == {"end_time": NOW}


def test_a_run_that_never_started_gets_start_and_end_time_together() -> None:
    ctx = flow_ctx(make_state(S.SCHEDULED), proposal(S.CANCELLED))

    assert SetEndTime().before_transition(ctx).run == {"end_time": NOW, "start_time": NOW}


def test_terminal_to_terminal_keeps_the_end_time() -> None:
    ctx = flow_ctx(
        make_state(S.FAILED),
        proposal(S.COMPLETED),
        run=flow_run(end_time=EARLIER, start_time=LONG_AGO),
    )

    assert SetEndTime().before_transition(ctx).run == {}


@pytest.mark.parametrize("proposed_type", [S.SCHEDULED, S.PENDING, S.RUNNING])
def test_leaving_a_terminal_state_clears_the_end_time(proposed_type: StateType) -> None:
    ctx = flow_ctx(make_state(S.FAILED), proposal(proposed_type), run=flow_run(end_time=EARLIER))

    assert SetEndTime().before_transition(ctx).run == {"end_time": None}


def test_run_time_accumulates_time_spent_running() -> None:
    ctx = flow_ctx(
        make_state(S.RUNNING, timestamp=NOW - timedelta(seconds=90)),
        proposal(S.COMPLETED),
        run=flow_run(total_run_time=timedelta(seconds=10)),
    )

    decision = IncrementRunTime().before_transition(ctx)

    assert decision.run == {"total_run_time": timedelta(seconds=100)}


@pytest.mark.parametrize("current_type", [None, S.PENDING, S.PAUSED, S.SCHEDULED])
def test_run_time_does_not_count_time_outside_running(current_type: StateType | None) -> None:
    current = None if current_type is None else make_state(current_type)

    assert IncrementRunTime().before_transition(flow_ctx(current, proposal(S.RUNNING))).run == {}


def test_expected_start_time_of_a_scheduled_run_is_its_scheduled_time() -> None:
    at = NOW + timedelta(days=1)
    decision = SetExpectedStartTime().before_transition(
        flow_ctx(None, proposal(S.SCHEDULED, scheduled_time=at))
    )

    assert decision.run == {"expected_start_time": at}


def test_expected_start_time_of_another_first_state_is_its_timestamp() -> None:
    decision = SetExpectedStartTime().before_transition(flow_ctx(None, proposal(S.PENDING)))

    assert decision.run == {"expected_start_time": NOW}


def test_expected_start_time_is_never_overwritten() -> None:
    ctx = flow_ctx(
        make_state(S.FAILED),
        proposal(S.SCHEDULED, scheduled_time=NOW),
        run=flow_run(expected_start_time=LONG_AGO),
    )

    assert SetExpectedStartTime().before_transition(ctx).run == {}


@pytest.mark.parametrize(
    ("current_type", "proposed_type", "expected"),
    [
        (S.SCHEDULED, S.PENDING, {"next_scheduled_start_time": None}),
        (S.RUNNING, S.SCHEDULED, {"next_scheduled_start_time": NOW + timedelta(minutes=3)}),
        (S.SCHEDULED, S.SCHEDULED, {"next_scheduled_start_time": NOW + timedelta(minutes=3)}),
        (S.RUNNING, S.COMPLETED, {}),
    ],
)
def test_next_scheduled_start_time_tracks_the_scheduled_state(
    current_type: StateType, proposed_type: StateType, expected: dict[str, object]
) -> None:
    ctx = flow_ctx(
        make_state(current_type),
        proposal(proposed_type, scheduled_time=NOW + timedelta(minutes=3)),
    )

    assert SetNextScheduledStartTime().before_transition(ctx).run == expected
