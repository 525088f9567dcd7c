"""UpdateStateDetails, UpdateSubflowStateDetails and UpdateSubflowParentTask: states name
their run, and a subflow's states are mirrored to its parent task run (GlobalFlowPolicy)."""

from __future__ import annotations

from uuid import uuid4

from orchestration import MinimalFlowPolicy, ResponseStatus, StateType, TransitionContext
from orchestration.rules import (
    UpdateStateDetails,
    UpdateSubflowParentTask,
    UpdateSubflowStateDetails,
)
from tests.orchestration.helpers import (
    NOW,
    PARENT_TASK_RUN_ID,
    RUN_ID,
    flow_ctx,
    flow_run,
    make_state,
    proposal,
    run_flow,
)

S = StateType


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
