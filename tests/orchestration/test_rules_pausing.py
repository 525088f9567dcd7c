"""HandlePausingFlows (R11): which runs may pause or suspend, and the pause keys it records."""

from __future__ import annotations

import pytest

from orchestration import Abort, Accept, FlowRunPolicy, Reject, ResponseStatus, StateType
from orchestration.rules import HandlePausingFlows
from tests.orchestration.helpers import (
    DEPLOYMENT_ID,
    PARENT_TASK_RUN_ID,
    FlowRunSimulator,
    flow_ctx,
    flow_run,
    make_state,
    proposal,
)

S = StateType


@pytest.mark.parametrize(("name", "verb"), [("Paused", "pause"), ("Suspended", "suspend")])
def test_pausing_a_run_without_state_aborts(name: str, verb: str) -> None:
    decision = HandlePausingFlows().before_transition(flow_ctx(None, proposal(S.PAUSED, name=name)))

    assert decision == Abort(reason=f"Cannot {verb} flows with no state.")


@pytest.mark.parametrize("current_type", [t for t in StateType if t is not S.RUNNING])
@pytest.mark.parametrize(("name", "verb"), [("Paused", "pause"), ("Suspended", "suspend")])
def test_pausing_a_run_that_is_not_running_rejects(
    current_type: StateType, name: str, verb: str
) -> None:
    ctx = flow_ctx(make_state(current_type), proposal(S.PAUSED, name=name))

    decision = HandlePausingFlows().before_transition(ctx)

    assert decision == Reject(
        state=None, reason=f"Cannot {verb} flows that are not currently running."
    )


@pytest.mark.parametrize(("name", "verb"), [("Paused", "pause"), ("Suspended", "suspend")])
def test_a_pause_key_fires_only_once(name: str, verb: str) -> None:
    run = flow_run(empirical_policy=FlowRunPolicy(pause_keys=("step-1",)))
    ctx = flow_ctx(
        make_state(S.RUNNING), proposal(S.PAUSED, name=name, pause_key="step-1"), run=run
    )

    decision = HandlePausingFlows().before_transition(ctx)

    assert decision == Reject(state=None, reason=f"This {verb} has already fired.")


def test_suspending_a_subflow_aborts() -> None:
    ctx = flow_ctx(
        make_state(S.RUNNING),
        proposal(S.PAUSED, name="Suspended", pause_reschedule=True),
        run=flow_run(parent_task_run_id=PARENT_TASK_RUN_ID, deployment_id=DEPLOYMENT_ID),
    )

    assert HandlePausingFlows().before_transition(ctx) == Abort(reason="Cannot suspend subflows.")


def test_suspending_without_a_deployment_aborts() -> None:
    ctx = flow_ctx(
        make_state(S.RUNNING), proposal(S.PAUSED, name="Suspended", pause_reschedule=True)
    )

    decision = HandlePausingFlows().before_transition(ctx)

    assert decision == Abort(reason="Cannot suspend flows without a deployment.")


def test_a_blocking_pause_of_a_subflow_is_allowed() -> None:
    ctx = flow_ctx(
        make_state(S.RUNNING),
        proposal(S.PAUSED),
        run=flow_run(parent_task_run_id=PARENT_TASK_RUN_ID),
    )

    assert isinstance(HandlePausingFlows().before_transition(ctx), Accept)


def test_an_accepted_pause_records_its_key() -> None:
    rule = HandlePausingFlows()
    ctx = flow_ctx(make_state(S.RUNNING), proposal(S.PAUSED, pause_key="approve"))
    rule.before_transition(ctx)

    update = rule.after_transition(ctx)

    assert update.run["empirical_policy"].pause_keys == ("approve",)


def test_a_pause_without_key_records_a_random_one() -> None:
    sim = FlowRunSimulator()
    sim.create(S.RUNNING)

    result = sim.propose(S.PAUSED)

    assert result.status is ResponseStatus.ACCEPT
    (key,) = sim.run.empirical_policy.pause_keys
    assert len(key) == 36  # a UUID string


def test_a_refused_pause_records_nothing() -> None:
    sim = FlowRunSimulator()
    sim.create(S.PENDING)

    result = sim.propose(S.PAUSED, pause_key="k")

    assert result.status is ResponseStatus.REJECT
    assert sim.run.empirical_policy.pause_keys == ()
