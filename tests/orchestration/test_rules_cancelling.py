"""EnforceCancellingToCancelledTransition (R4) and BypassCancellingFlowRunsWithNoInfra (R5)."""

from __future__ import annotations

import pytest

from orchestration import Accept, MinimalFlowPolicy, Reject, ResponseStatus, StateType
from orchestration.rules import (
    BypassCancellingFlowRunsWithNoInfra,
    EnforceCancellingToCancelledTransition,
)
from tests.orchestration.helpers import NOW, flow_ctx, flow_run, make_state, proposal, run_flow

S = StateType


@pytest.mark.parametrize("proposed_type", [t for t in StateType if t is not S.CANCELLED])
def test_cancelling_run_rejects_anything_but_cancelled(proposed_type: StateType) -> None:
    ctx = flow_ctx(make_state(S.CANCELLING), proposal(proposed_type))

    decision = EnforceCancellingToCancelledTransition().before_transition(ctx)

    assert decision == Reject(
        state=None,
        reason="Cannot transition flows that are cancelling to a state other than Cancelled.",
    )


def test_cancelling_rule_does_not_apply_to_cancelled() -> None:
    assert not EnforceCancellingToCancelledTransition.applies_to(S.CANCELLING, S.CANCELLED)
    assert EnforceCancellingToCancelledTransition.applies_to(S.CANCELLING, S.CANCELLING)


def test_cancel_of_scheduled_run_without_pid_writes_cancelled() -> None:
    proposed = proposal(S.CANCELLING)
    ctx = flow_ctx(make_state(S.SCHEDULED), proposed)

    decision = BypassCancellingFlowRunsWithNoInfra().before_transition(ctx)

    assert isinstance(decision, Reject)
    assert decision.reason == "Scheduled flow run has no infrastructure to terminate."
    assert decision.state is not None
    assert (decision.state.type, decision.state.name) == (S.CANCELLED, "Cancelled")
    assert decision.state.timestamp == NOW
    assert decision.state.id != proposed.id


def test_cancel_of_resuming_run_writes_cancelled_even_with_a_pid() -> None:
    ctx = flow_ctx(
        make_state(S.SCHEDULED, name="Resuming"),
        proposal(S.CANCELLING),
        run=flow_run(infrastructure_pid="123"),
    )

    decision = BypassCancellingFlowRunsWithNoInfra().before_transition(ctx)

    assert isinstance(decision, Reject)
    assert decision.reason == "Scheduled flow run has no infrastructure to terminate."


def test_cancel_of_scheduled_run_with_pid_goes_through_cancelling() -> None:
    ctx = flow_ctx(
        make_state(S.SCHEDULED, name="AwaitingRetry"),
        proposal(S.CANCELLING),
        run=flow_run(infrastructure_pid="123"),
    )

    assert isinstance(BypassCancellingFlowRunsWithNoInfra().before_transition(ctx), Accept)


def test_cancel_of_suspended_run_writes_cancelled() -> None:
    ctx = flow_ctx(
        make_state(S.PAUSED, name="Suspended", pause_reschedule=True), proposal(S.CANCELLING)
    )

    decision = BypassCancellingFlowRunsWithNoInfra().before_transition(ctx)

    assert isinstance(decision, Reject) and decision.state is not None
    assert decision.state.type is S.CANCELLED
    assert decision.reason == "Suspended flow run has no infrastructure to terminate."


def test_cancel_of_blocking_pause_is_left_to_later_rules() -> None:
    ctx = flow_ctx(make_state(S.PAUSED), proposal(S.CANCELLING))

    assert isinstance(BypassCancellingFlowRunsWithNoInfra().before_transition(ctx), Accept)


def test_forced_cancel_of_scheduled_run_without_pid_still_writes_cancelled() -> None:
    result = run_flow(make_state(S.SCHEDULED), proposal(S.CANCELLING), policy=MinimalFlowPolicy)

    assert result.status is ResponseStatus.REJECT
    assert result.state is not None and result.state.type is S.CANCELLED
    assert result.run_updates["state_type"] is S.CANCELLED


def test_forced_cancel_of_blocking_pause_is_accepted() -> None:
    result = run_flow(make_state(S.PAUSED), proposal(S.CANCELLING), policy=MinimalFlowPolicy)

    assert result.status is ResponseStatus.ACCEPT
    assert result.state is not None and result.state.type is S.CANCELLING
