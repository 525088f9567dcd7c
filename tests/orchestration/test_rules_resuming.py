"""HandleResumingPausedFlows (R12): where a paused run may go, and pause timeouts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration import Accept, Reject, StateType
from orchestration.rules import HandleResumingPausedFlows
from tests.orchestration.helpers import NOW, flow_ctx, make_state, proposal

S = StateType


@pytest.mark.parametrize("proposed_type", [S.PENDING, S.PAUSED, S.CANCELLING])
def test_a_paused_run_cannot_move_sideways(proposed_type: StateType) -> None:
    ctx = flow_ctx(make_state(S.PAUSED), proposal(proposed_type))

    decision = HandleResumingPausedFlows().before_transition(ctx)

    assert decision == Reject(
        state=None,
        reason=(
            f"This run cannot transition to the StateType.{proposed_type} state "
            "from the StateType.PAUSED state."
        ),
    )


@pytest.mark.parametrize(
    "proposed_type", [S.RUNNING, S.SCHEDULED, S.COMPLETED, S.FAILED, S.CANCELLED, S.CRASHED]
)
def test_a_paused_run_may_resume_or_finish(proposed_type: StateType) -> None:
    ctx = flow_ctx(make_state(S.PAUSED), proposal(proposed_type))

    assert isinstance(HandleResumingPausedFlows().before_transition(ctx), Accept)


@pytest.mark.parametrize(
    ("proposed_type", "name", "shown"),
    [
        (S.SCHEDULED, "Resuming", "resuming"),
        (S.FAILED, None, "failed"),
        (S.RUNNING, None, "running"),
    ],
)
def test_a_suspended_run_without_deployment_cannot_be_resumed(
    proposed_type: StateType, name: str | None, shown: str
) -> None:
    ctx = flow_ctx(
        make_state(S.PAUSED, name="Suspended", pause_reschedule=True),
        proposal(proposed_type, name=name),
    )

    decision = HandleResumingPausedFlows().before_transition(ctx)

    assert decision == Reject(
        state=None, reason=f"Cannot reschedule a {shown} flow run without a deployment."
    )


def test_resuming_after_the_pause_timeout_fails_the_run() -> None:
    ctx = flow_ctx(
        make_state(S.PAUSED, pause_timeout=NOW - timedelta(seconds=1)), proposal(S.RUNNING)
    )

    decision = HandleResumingPausedFlows().before_transition(ctx)

    assert isinstance(decision, Reject)
    assert decision.reason == "The flow run pause has timed out and can no longer resume."
    assert decision.state is not None
    assert (decision.state.type, decision.state.name) == (S.FAILED, "Failed")
    assert decision.state.message == "The flow was running and never resumed."
    assert decision.state.timestamp == NOW


def test_resuming_before_the_pause_timeout_is_accepted() -> None:
    ctx = flow_ctx(
        make_state(S.PAUSED, pause_timeout=NOW + timedelta(seconds=1)), proposal(S.RUNNING)
    )

    assert isinstance(HandleResumingPausedFlows().before_transition(ctx), Accept)
