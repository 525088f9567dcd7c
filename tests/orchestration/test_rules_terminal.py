"""HandleFlowTerminalStateTransitions (R3) and PreventResultDataLoss."""

from __future__ import annotations

import pytest

from orchestration import (
    Abort,
    Accept,
    FlowRunPolicy,
    MinimalFlowPolicy,
    Reject,
    ResponseStatus,
    StateType,
)
from orchestration.rules import HandleFlowTerminalStateTransitions, PreventResultDataLoss
from orchestration.run_policy import RetryType
from tests.orchestration.helpers import (
    DEPLOYMENT_ID,
    flow_ctx,
    flow_run,
    make_state,
    proposal,
    run_flow,
)

S = StateType
TERMINAL = [S.COMPLETED, S.FAILED, S.CANCELLED, S.CRASHED]
PERSISTED = {"type": "reference", "storage_key": "k"}
USED_POLICY = FlowRunPolicy(
    retries=2, pause_keys=("a", "b"), resuming=True, retry_type="in_process"
)


@pytest.mark.parametrize("current_type", TERMINAL)
@pytest.mark.parametrize("proposed_type", [S.CANCELLING, S.PAUSED, S.CRASHED])
def test_terminal_run_aborts_pause_cancel_and_crash(
    current_type: StateType, proposed_type: StateType
) -> None:
    ctx = flow_ctx(make_state(current_type), proposal(proposed_type))

    decision = HandleFlowTerminalStateTransitions().before_transition(ctx)

    assert decision == Abort(reason=f"Run is already in terminal state {current_type}.")


@pytest.mark.parametrize("proposed_type", [S.PENDING, S.RUNNING, S.SCHEDULED])
def test_completed_with_persisted_result_rejects_rerun(proposed_type: StateType) -> None:
    ctx = flow_ctx(
        make_state(S.COMPLETED, data=PERSISTED),
        proposal(proposed_type),
        run=flow_run(deployment_id=DEPLOYMENT_ID),
    )

    decision = HandleFlowTerminalStateTransitions().before_transition(ctx)

    assert decision == Reject(state=None, reason="Run is already COMPLETED.")


@pytest.mark.parametrize("proposed_type", [S.FAILED, S.CANCELLED])
def test_completed_with_persisted_result_may_be_corrected_to_another_terminal_type(
    proposed_type: StateType,
) -> None:
    ctx = flow_ctx(make_state(S.COMPLETED, data=PERSISTED), proposal(proposed_type))

    assert isinstance(HandleFlowTerminalStateTransitions().before_transition(ctx), Accept)


def test_completed_with_persisted_result_rejects_completed_without_result() -> None:
    ctx = flow_ctx(make_state(S.COMPLETED, data=PERSISTED), proposal(S.COMPLETED, data=None))

    decision = HandleFlowTerminalStateTransitions().before_transition(ctx)

    assert isinstance(decision, Reject) and decision.state is None
    assert decision.reason.startswith("Cannot overwrite a COMPLETED state")


@pytest.mark.parametrize("current_type", TERMINAL)
def test_terminal_run_without_deployment_cannot_be_rescheduled(current_type: StateType) -> None:
    ctx = flow_ctx(make_state(current_type), proposal(S.SCHEDULED))

    decision = HandleFlowTerminalStateTransitions().before_transition(ctx)

    assert decision == Abort(reason="Cannot reschedule a run without an associated deployment.")


@pytest.mark.parametrize(
    ("proposed_type", "retry_type"),
    [(S.SCHEDULED, "reschedule"), (S.PENDING, None), (S.RUNNING, None)],
)
def test_leaving_a_terminal_state_resets_pause_bookkeeping(
    proposed_type: StateType, retry_type: RetryType | None
) -> None:
    run = flow_run(deployment_id=DEPLOYMENT_ID, run_count=3, empirical_policy=USED_POLICY)
    ctx = flow_ctx(make_state(S.FAILED), proposal(proposed_type), run=run)

    decision = HandleFlowTerminalStateTransitions().before_transition(ctx)

    assert decision == Accept(
        run={
            "empirical_policy": FlowRunPolicy(
                retries=2, pause_keys=(), resuming=False, retry_type=retry_type
            )
        }
    )


def test_manual_retry_keeps_the_run_count() -> None:
    run = flow_run(deployment_id=DEPLOYMENT_ID, run_count=3, empirical_policy=USED_POLICY)

    result = run_flow(make_state(S.FAILED), proposal(S.SCHEDULED), run=run)

    assert result.status is ResponseStatus.ACCEPT
    assert "run_count" not in result.run_updates
    assert result.run_updates["empirical_policy"].retry_type == "reschedule"


@pytest.mark.parametrize("proposed_type", [S.COMPLETED, S.FAILED])
def test_terminal_to_terminal_keeps_the_policy(proposed_type: StateType) -> None:
    ctx = flow_ctx(
        make_state(S.FAILED), proposal(proposed_type), run=flow_run(empirical_policy=USED_POLICY)
    )

    decision = HandleFlowTerminalStateTransitions().before_transition(ctx)

    assert isinstance(decision, Accept) and not decision.run


def test_old_api_versions_do_not_reset_pause_bookkeeping() -> None:
    ctx = flow_ctx(
        make_state(S.FAILED),
        proposal(S.RUNNING),
        run=flow_run(empirical_policy=USED_POLICY),
        api_version=(0, 8, 3),
    )

    decision = HandleFlowTerminalStateTransitions().before_transition(ctx)

    assert isinstance(decision, Accept) and not decision.run


def test_policy_reset_is_undone_when_a_later_rule_refuses_the_transition() -> None:
    """CANCELLED → PENDING passes R3 (which resets the policy) and is then aborted by R6."""
    run = flow_run(empirical_policy=USED_POLICY)

    result = run_flow(make_state(S.CANCELLED), proposal(S.PENDING), run=run)

    assert result.status is ResponseStatus.ABORT
    assert "empirical_policy" not in result.run_updates


def test_policy_reset_is_undone_when_late_marking_is_refused() -> None:
    run = flow_run(deployment_id=DEPLOYMENT_ID, empirical_policy=USED_POLICY)

    result = run_flow(make_state(S.FAILED), proposal(S.SCHEDULED, name="Late"), run=run)

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "Only scheduled flows can be marked late."
    assert "empirical_policy" not in result.run_updates


def test_cleanup_restores_the_policy_seen_before_the_reset() -> None:
    rule = HandleFlowTerminalStateTransitions()
    ctx = flow_ctx(
        make_state(S.FAILED), proposal(S.RUNNING), run=flow_run(empirical_policy=USED_POLICY)
    )
    rule.before_transition(ctx)

    assert rule.cleanup(ctx).run == {"empirical_policy": USED_POLICY}


@pytest.mark.parametrize(
    ("current_data", "proposed_data", "rejected"),
    [
        (PERSISTED, None, True),
        (PERSISTED, {"type": "unpersisted"}, True),
        (PERSISTED, "a scalar", True),
        (PERSISTED, PERSISTED, False),
        ({"type": "unpersisted"}, None, False),
        (None, None, False),
    ],
)
def test_result_data_loss_is_prevented_only_for_persisted_results(
    current_data: object, proposed_data: object, rejected: bool
) -> None:
    ctx = flow_ctx(
        make_state(S.COMPLETED, data=current_data), proposal(S.COMPLETED, data=proposed_data)
    )

    decision = PreventResultDataLoss().before_transition(ctx)

    assert isinstance(decision, Reject) is rejected


def test_force_still_refuses_to_lose_a_persisted_result() -> None:
    result = run_flow(
        make_state(S.COMPLETED, data=PERSISTED), proposal(S.COMPLETED), policy=MinimalFlowPolicy
    )

    assert result.status is ResponseStatus.REJECT
    assert result.state is None
    assert result.run_updates == {}


def test_force_lets_a_persisted_completed_run_rerun() -> None:
    result = run_flow(
        make_state(S.COMPLETED, data=PERSISTED), proposal(S.RUNNING), policy=MinimalFlowPolicy
    )

    assert result.status is ResponseStatus.ACCEPT
