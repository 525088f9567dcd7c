"""The bookkeeping transforms G2-G14 (GlobalFlowPolicy) and their task counterparts."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from orchestration import (
    CoreFlowPolicy,
    FlowRunPolicy,
    MinimalFlowPolicy,
    ResponseStatus,
    StateType,
    TransitionContext,
)
from orchestration.rules import (
    IncrementFlowRunCount,
    IncrementRunTime,
    RemoveResumingIndicator,
    SetEndTime,
    SetExpectedStartTime,
    SetNextScheduledStartTime,
    SetStartTime,
    UpdateStateDetails,
    UpdateSubflowParentTask,
    UpdateSubflowStateDetails,
)
from tests.orchestration.helpers import (
    EARLIER,
    NOW,
    PARENT_TASK_RUN_ID,
    RUN_ID,
    FlowRunSimulator,
    flow_ctx,
    flow_run,
    make_state,
    proposal,
    run_flow,
)

S = StateType
LONG_AGO = NOW - timedelta(hours=1)


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


def test_every_state_names_its_flow_run() -> None:
    ctx = flow_ctx(None, proposal(S.PENDING, flow_run_id=uuid4()))

    decision = UpdateStateDetails().before_transition(ctx)

    assert decision.state is not None and decision.state.detail("flow_run_id") == RUN_ID


def test_written_states_carry_the_run_id_end_to_end() -> None:
    result = run_flow(make_state(S.SCHEDULED), proposal(S.CANCELLING))  # → Cancelled replacement

    assert result.state is not None and result.state.detail("flow_run_id") == RUN_ID


def test_subflow_states_point_at_the_parent_task_run() -> None:
    ctx = flow_ctx(None, proposal(S.RUNNING), run=flow_run(parent_task_run_id=PARENT_TASK_RUN_ID))

    decision = UpdateSubflowStateDetails().before_transition(ctx)

    assert decision.state is not None
    assert decision.state.detail("task_run_id") == PARENT_TASK_RUN_ID


def test_top_level_flow_states_point_at_no_task_run() -> None:
    result = run_flow(None, proposal(S.RUNNING))

    assert result.state is not None and result.state.detail("task_run_id") is None
    assert result.sync_parent_task_run is False


def test_a_written_subflow_state_is_mirrored_to_the_parent_task_run() -> None:
    result = run_flow(
        make_state(S.PENDING),
        proposal(S.RUNNING, message="go"),
        run=flow_run(parent_task_run_id=PARENT_TASK_RUN_ID),
    )

    sync = result.parent_task_run_sync
    assert result.sync_parent_task_run is True
    assert sync is not None
    assert sync.task_run_id == PARENT_TASK_RUN_ID
    assert result.state is not None
    assert sync.state.id != result.state.id
    assert (sync.state.type, sync.state.name, sync.state.message) == (S.RUNNING, "Running", "go")
    assert sync.state.timestamp == result.state.timestamp
    assert sync.state.detail("child_flow_run_id") == RUN_ID
    assert sync.state.detail("task_run_id") == PARENT_TASK_RUN_ID


def test_nothing_is_mirrored_to_the_parent_task_when_nothing_is_written() -> None:
    result = run_flow(
        make_state(S.RUNNING),
        proposal(S.PENDING),
        run=flow_run(parent_task_run_id=PARENT_TASK_RUN_ID),
    )

    assert result.status is ResponseStatus.ABORT
    assert result.effects == ()


def test_parent_task_sync_needs_a_written_state() -> None:
    ctx = TransitionContext(
        run=flow_run(parent_task_run_id=PARENT_TASK_RUN_ID),
        initial_state=make_state(S.RUNNING),
        proposed_state=None,  # what after-hooks see when nothing is written
        now=NOW,
    )

    assert UpdateSubflowParentTask().after_transition(ctx).effects == ()


def test_force_also_mirrors_subflow_states() -> None:
    result = run_flow(
        None,
        proposal(S.PENDING),
        policy=MinimalFlowPolicy,
        run=flow_run(parent_task_run_id=PARENT_TASK_RUN_ID),
    )

    sync = result.parent_task_run_sync
    assert sync is not None and sync.state.type is S.PENDING
    assert result.effects == (sync,)


@pytest.mark.parametrize("current_type", [None, S.PENDING, S.RUNNING, S.PAUSED, S.FAILED])
def test_every_running_counts_a_run(current_type: StateType | None) -> None:
    current = None if current_type is None else make_state(current_type)
    ctx = flow_ctx(current, proposal(S.RUNNING), run=flow_run(run_count=4))

    assert IncrementFlowRunCount().before_transition(ctx).run == {"run_count": 5}


def test_a_resume_flagged_as_resuming_is_not_counted() -> None:
    ctx = flow_ctx(
        make_state(S.PENDING),
        proposal(S.RUNNING),
        run=flow_run(run_count=4, empirical_policy=FlowRunPolicy(resuming=True)),
    )

    assert IncrementFlowRunCount().before_transition(ctx).run == {}


def test_old_api_versions_count_even_resumes() -> None:
    ctx = flow_ctx(
        make_state(S.PENDING),
        proposal(S.RUNNING),
        run=flow_run(run_count=4, empirical_policy=FlowRunPolicy(resuming=True)),
        api_version=(0, 8, 3),
    )

    assert IncrementFlowRunCount().before_transition(ctx).run == {"run_count": 5}


@pytest.mark.parametrize(
    ("proposed_type", "cleared"),
    [
        (S.RUNNING, True),
        (S.COMPLETED, True),
        (S.CRASHED, True),
        (S.SCHEDULED, False),
        (S.PENDING, False),
    ],
)
def test_resuming_flag_is_cleared_by_running_or_terminal_states(
    proposed_type: StateType, cleared: bool
) -> None:
    ctx = flow_ctx(
        make_state(S.PAUSED),
        proposal(proposed_type),
        run=flow_run(empirical_policy=FlowRunPolicy(resuming=True)),
    )

    decision = RemoveResumingIndicator().before_transition(ctx)

    assert ("empirical_policy" in decision.run) is cleared
    if cleared:
        assert decision.run["empirical_policy"] == FlowRunPolicy(resuming=False)


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
