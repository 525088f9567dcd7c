"""PreventDuplicateTransitions (R2) and PreventPendingTransitions (R6)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from orchestration import Abort, Accept, Reject, ResponseStatus, StateType
from orchestration.rules import PreventDuplicateTransitions, PreventPendingTransitions
from tests.orchestration.helpers import FlowRunSimulator, flow_ctx, make_state, proposal

S = StateType


@pytest.mark.parametrize("current_type", list(StateType))
@pytest.mark.parametrize("proposed_type", list(StateType))
def test_duplicate_transition_id_rejects_without_writing(
    current_type: StateType, proposed_type: StateType
) -> None:
    transition_id = uuid4()
    ctx = flow_ctx(
        make_state(current_type, transition_id=transition_id),
        proposal(proposed_type, transition_id=transition_id),
    )

    decision = PreventDuplicateTransitions().before_transition(ctx)

    assert decision == Reject(state=None, reason="This run has already made this state transition.")


@pytest.mark.parametrize(
    ("current_id", "proposed_id"),
    [(None, None), (uuid4(), None), (None, uuid4()), (uuid4(), uuid4())],
    ids=["neither", "only-current", "only-proposed", "different"],
)
def test_duplicate_check_accepts_unless_both_ids_match(
    current_id: object, proposed_id: object
) -> None:
    ctx = flow_ctx(
        make_state(S.RUNNING, transition_id=current_id),
        proposal(S.COMPLETED, transition_id=proposed_id),
    )

    assert isinstance(PreventDuplicateTransitions().before_transition(ctx), Accept)


def test_duplicate_check_accepts_a_run_without_state() -> None:
    ctx = flow_ctx(None, proposal(S.PENDING, transition_id=uuid4()))

    assert isinstance(PreventDuplicateTransitions().before_transition(ctx), Accept)


@pytest.mark.parametrize("current_type", [S.PENDING, S.RUNNING, S.CANCELLING, S.CANCELLED])
def test_pending_is_aborted_from_claimed_states(current_type: StateType) -> None:
    ctx = flow_ctx(make_state(current_type), proposal(S.PENDING))

    decision = PreventPendingTransitions().before_transition(ctx)

    assert decision == Abort(
        reason=f"This run is in a {current_type} state and cannot transition to a PENDING state."
    )


def test_pending_named_pending_is_aborted_even_after_a_substate() -> None:
    ctx = flow_ctx(make_state(S.PENDING, name="Submitting"), proposal(S.PENDING))

    assert isinstance(PreventPendingTransitions().before_transition(ctx), Abort)


def test_pending_to_the_same_substate_name_is_aborted() -> None:
    ctx = flow_ctx(make_state(S.PENDING, name="Submitting"), proposal(S.PENDING, name="Submitting"))

    assert isinstance(PreventPendingTransitions().before_transition(ctx), Abort)


def test_pending_substate_carries_scheduled_time_and_lease_forward() -> None:
    lease_id, scheduled = uuid4(), make_state(S.PENDING).timestamp
    current = make_state(
        S.PENDING, scheduled_time=scheduled, deployment_concurrency_lease_id=lease_id
    )
    proposed = proposal(S.PENDING, name="InfrastructurePending")

    decision = PreventPendingTransitions().before_transition(flow_ctx(current, proposed))

    assert isinstance(decision, Accept) and decision.state is not None
    assert decision.state.id == proposed.id
    assert decision.state.name == "InfrastructurePending"
    assert decision.state.detail("scheduled_time") == scheduled
    assert decision.state.detail("deployment_concurrency_lease_id") == lease_id


def test_running_to_a_pending_substate_is_still_aborted() -> None:
    ctx = flow_ctx(make_state(S.RUNNING), proposal(S.PENDING, name="Submitting"))

    assert isinstance(PreventPendingTransitions().before_transition(ctx), Abort)


def test_retrying_a_lost_set_state_returns_the_first_attempts_state() -> None:
    sim = FlowRunSimulator()
    sim.create(S.PENDING)
    transition_id = uuid4()
    first = sim.propose(S.RUNNING, transition_id=transition_id)

    retry = sim.propose(S.RUNNING, transition_id=transition_id)

    assert first.status is ResponseStatus.ACCEPT
    assert retry.status is ResponseStatus.REJECT
    assert retry.reason == "This run has already made this state transition."
    assert retry.state is None and retry.run_updates == {}
    assert sim.state is first.state  # the service answers with this current state
    assert sim.run.run_count == 1
