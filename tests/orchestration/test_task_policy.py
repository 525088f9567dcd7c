"""CoreTaskPolicy, MinimalTaskPolicy and the task bookkeeping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from orchestration import (
    Abort,
    Accept,
    CoreTaskPolicy,
    MinimalTaskPolicy,
    OrchestrationResult,
    ParentFlowRunFacts,
    Policy,
    Reject,
    ResponseStatus,
    State,
    StateType,
    TaskRunFacts,
    TaskRunPolicy,
    TransitionContext,
    orchestrate,
)
from orchestration.rules import (
    HandleTaskTerminalStateTransitions,
    PreventRunningTasksFromStoppedFlows,
    RenameReruns,
    RetryFailedTasks,
)
from tests.orchestration.helpers import NOW, RUN_ID, make_state, proposal

S = StateType
TASK_ID = UUID("00000000-0000-4000-8000-0000000000b1")
PERSISTED = {"type": "reference", "storage_key": "k"}


def flow(state_type: StateType | None = S.RUNNING, **kwargs: Any) -> ParentFlowRunFacts:
    return ParentFlowRunFacts(id=RUN_ID, state_type=state_type, **kwargs)


def task_ctx(
    current: State | None,
    proposed: State,
    *,
    flow_run: ParentFlowRunFacts | None = None,
    **run_fields: Any,
) -> TransitionContext[TaskRunFacts]:
    run_fields.setdefault("flow_run_id", RUN_ID)
    return TransitionContext(
        run=TaskRunFacts(id=TASK_ID, **run_fields),
        initial_state=current,
        proposed_state=proposed,
        now=NOW,
        flow_run=flow() if flow_run is None else flow_run,
    )


def run_task(
    current: State | None,
    proposed: State,
    *,
    policy: type[Policy] = CoreTaskPolicy,
    **kwargs: Any,
) -> OrchestrationResult:
    return orchestrate(task_ctx(current, proposed, **kwargs), policy)


# -- HandleTaskTerminalStateTransitions --------------------------------------------------


@pytest.mark.parametrize("current_type", [S.COMPLETED, S.FAILED, S.CANCELLED, S.CRASHED])
@pytest.mark.parametrize("proposed_type", [S.CANCELLING, S.PAUSED, S.CRASHED])
def test_finished_task_aborts_pause_cancel_and_crash(
    current_type: StateType, proposed_type: StateType
) -> None:
    ctx = task_ctx(make_state(current_type), proposal(proposed_type))

    decision = HandleTaskTerminalStateTransitions().before_transition(ctx)

    assert decision == Abort(reason=f"Run is already {current_type}.")


@pytest.mark.parametrize("proposed_type", [S.RUNNING, S.PENDING, S.FAILED])
def test_completed_task_with_persisted_result_is_reused(proposed_type: StateType) -> None:
    ctx = task_ctx(make_state(S.COMPLETED, data=PERSISTED), proposal(proposed_type))

    decision = HandleTaskTerminalStateTransitions().before_transition(ctx)

    assert decision == Reject(state=None, reason="This run is already completed.")


def test_a_failed_task_rerun_by_a_flow_retry_is_named_retrying() -> None:
    ctx = task_ctx(
        make_state(S.FAILED),
        proposal(S.RUNNING),
        run_count=3,
        flow_run_run_count=1,
        flow_run=flow(run_count=2),
    )

    decision = HandleTaskTerminalStateTransitions().before_transition(ctx)

    assert isinstance(decision, Accept) and decision.state is not None
    assert decision.state.name == "Retrying"
    assert decision.run == {"run_count": 0}


def test_a_failed_task_rerun_in_the_same_flow_attempt_keeps_its_name() -> None:
    ctx = task_ctx(
        make_state(S.FAILED), proposal(S.RUNNING), flow_run_run_count=2, flow_run=flow(run_count=2)
    )

    decision = HandleTaskTerminalStateTransitions().before_transition(ctx)

    assert isinstance(decision, Accept) and decision.state is None


def test_terminal_to_terminal_keeps_the_task_run_count() -> None:
    ctx = task_ctx(make_state(S.FAILED), proposal(S.COMPLETED), run_count=2)

    assert HandleTaskTerminalStateTransitions().before_transition(ctx) == Accept()


def test_task_run_count_reset_is_undone_when_the_flow_is_not_running() -> None:
    result = run_task(
        make_state(S.FAILED), proposal(S.RUNNING), run_count=2, flow_run=flow(S.COMPLETED)
    )

    assert result.status is ResponseStatus.ABORT
    assert result.run_updates == {}


def test_a_flow_retry_reruns_a_failed_task_from_scratch() -> None:
    result = run_task(
        make_state(S.FAILED),
        proposal(S.RUNNING),
        run_count=3,
        flow_run_run_count=1,
        flow_run=flow(run_count=2),
        empirical_policy=TaskRunPolicy(retries=2),
    )

    assert result.status is ResponseStatus.ACCEPT
    assert result.state is not None and result.state.name == "Retrying"
    assert result.run_updates["run_count"] == 1
    assert result.run_updates["flow_run_run_count"] == 2


# -- PreventRunningTasksFromStoppedFlows -------------------------------------------------


@pytest.mark.parametrize(
    "flow_state", [None, S.SCHEDULED, S.PENDING, S.COMPLETED, S.FAILED, S.CANCELLING]
)
def test_a_task_cannot_start_unless_its_flow_runs(flow_state: StateType | None) -> None:
    ctx = task_ctx(make_state(S.PENDING), proposal(S.RUNNING), flow_run=flow(flow_state))

    decision = PreventRunningTasksFromStoppedFlows().before_transition(ctx)

    assert decision == Abort(reason="The enclosing flow must be running to begin task execution.")


def test_a_task_of_a_paused_flow_is_parked_as_not_ready() -> None:
    deadline = NOW + timedelta(hours=1)
    ctx = task_ctx(
        make_state(S.PENDING),
        proposal(S.RUNNING),
        flow_run=flow(S.PAUSED, pause_timeout=deadline, pause_reschedule=True),
    )

    decision = PreventRunningTasksFromStoppedFlows().before_transition(ctx)

    assert isinstance(decision, Reject)
    assert decision.reason == (
        f"The flow is paused, new tasks can execute after resuming flow run: {RUN_ID}."
    )
    assert decision.state is not None
    assert (decision.state.type, decision.state.name) == (S.PAUSED, "NotReady")
    assert decision.state.detail("pause_timeout") == deadline
    assert decision.state.detail("pause_reschedule") is True


def test_a_task_without_a_flow_run_may_start() -> None:
    ctx = TransitionContext(
        run=TaskRunFacts(id=TASK_ID),
        initial_state=None,
        proposed_state=proposal(S.RUNNING),
        now=NOW,
    )

    assert PreventRunningTasksFromStoppedFlows().before_transition(ctx) == Accept()


# -- retries and renames -------------------------------------------------------------------


def test_a_failed_task_with_retries_left_awaits_retry() -> None:
    ctx = task_ctx(
        make_state(S.RUNNING),
        proposal(S.FAILED, message="nope"),
        run_count=2,
        empirical_policy=TaskRunPolicy(retries=3, retry_delay=(1, 5, 30)),
    )

    decision = RetryFailedTasks().before_transition(ctx)

    assert isinstance(decision, Reject) and decision.state is not None
    assert decision.reason == "Retrying"
    assert decision.state.name == "AwaitingRetry"
    assert decision.state.message == "nope"
    assert decision.state.detail("scheduled_time") == NOW + timedelta(seconds=5)


@pytest.mark.parametrize(
    ("run_count", "retries", "retriable"), [(3, 2, None), (1, None, None), (1, 3, False)]
)
def test_a_failed_task_without_retries_left_fails(
    run_count: int, retries: int | None, retriable: bool | None
) -> None:
    ctx = task_ctx(
        make_state(S.RUNNING),
        proposal(S.FAILED, retriable=retriable),
        run_count=run_count,
        empirical_policy=TaskRunPolicy(retries=retries),
    )

    assert RetryFailedTasks().before_transition(ctx) == Accept()


@pytest.mark.parametrize(
    ("current_name", "run_count", "expected"),
    [("AwaitingRetry", 1, "Retrying"), ("Scheduled", 1, "Rerunning"), ("Pending", 0, "Running")],
)
def test_a_task_that_ran_before_is_renamed(
    current_name: str, run_count: int, expected: str
) -> None:
    ctx = task_ctx(
        make_state(S.SCHEDULED, name=current_name), proposal(S.RUNNING), run_count=run_count
    )

    decision = RenameReruns().before_transition(ctx)

    assert isinstance(decision, Accept)
    assert (decision.state or ctx.proposal).name == expected


def test_a_task_retry_sequence_counts_attempts() -> None:
    policy = TaskRunPolicy(retries=1)
    current: State = make_state(S.PENDING)
    run_count, names = 0, []
    for proposed_type in (S.RUNNING, S.FAILED, S.RUNNING, S.FAILED):
        result = run_task(
            current, proposal(proposed_type), run_count=run_count, empirical_policy=policy
        )
        assert result.state is not None
        current, run_count = result.state, result.run_updates.get("run_count", run_count)
        names.append(current.name)

    assert names == ["Running", "AwaitingRetry", "Retrying", "Failed"]
    assert run_count == 2


# -- bookkeeping ---------------------------------------------------------------------------


def test_task_states_name_their_task_and_flow_run() -> None:
    result = run_task(None, proposal(S.PENDING))

    assert result.state is not None
    assert result.state.detail("task_run_id") == TASK_ID
    assert result.state.detail("flow_run_id") == RUN_ID


def test_a_started_task_records_the_flow_attempt() -> None:
    result = run_task(make_state(S.PENDING), proposal(S.RUNNING), flow_run=flow(run_count=3))

    assert result.run_updates["flow_run_run_count"] == 3
    assert result.run_updates["run_count"] == 1
    assert result.run_updates["start_time"] == NOW


def test_forced_task_transitions_only_do_bookkeeping() -> None:
    result = run_task(
        make_state(S.COMPLETED, data=PERSISTED),
        proposal(S.RUNNING),
        policy=MinimalTaskPolicy,
        flow_run=flow(S.COMPLETED),
        end_time=NOW - timedelta(seconds=1),
    )

    assert result.status is ResponseStatus.ACCEPT
    assert result.run_updates["run_count"] == 1
    assert result.run_updates["end_time"] is None
    assert "flow_run_run_count" not in result.run_updates
