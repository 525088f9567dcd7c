"""HandlePausingFlows (R11) and HandleResumingPausedFlows (R12), alone and end to end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from orchestration import (
    Abort,
    Accept,
    DeploymentFacts,
    FlowRunPolicy,
    MinimalFlowPolicy,
    Reject,
    ResponseStatus,
    StateType,
)
from orchestration.rules import HandlePausingFlows, HandleResumingPausedFlows
from tests.orchestration.helpers import (
    DEPLOYMENT_ID,
    NOW,
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


# -- end to end --------------------------------------------------------------------------


def paused_run(**pause_details: Any) -> FlowRunSimulator:
    sim = FlowRunSimulator(run=flow_run(deployment_id=DEPLOYMENT_ID), deployment=DeploymentFacts())
    sim.create(S.RUNNING)
    assert sim.run.run_count == 1
    result = sim.propose(S.PAUSED, **pause_details)
    assert result.status is ResponseStatus.ACCEPT
    return sim


def test_blocking_pause_then_resume_counts_a_run_and_leaves_resuming_set() -> None:
    sim = paused_run(pause_key="approve")

    result = sim.propose(S.RUNNING)  # what /resume proposes for a blocking pause

    assert result.status is ResponseStatus.ACCEPT
    assert sim.run.run_count == 2
    assert sim.run.empirical_policy.resuming is True
    assert sim.run.empirical_policy.pause_keys == ("approve",)


def test_the_resuming_flag_is_cleared_by_the_next_running_without_counting_it() -> None:
    sim = paused_run()
    sim.propose(S.RUNNING)

    sim.propose(S.RUNNING)

    assert sim.run.run_count == 2
    assert sim.run.empirical_policy.resuming is False


def test_the_same_pause_key_does_not_pause_twice_after_a_resume() -> None:
    sim = paused_run(pause_key="approve")
    sim.propose(S.RUNNING)

    result = sim.propose(S.PAUSED, pause_key="approve")

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "This pause has already fired."
    assert sim.state is not None and sim.state.type is S.RUNNING


def test_a_new_pause_key_pauses_again() -> None:
    sim = paused_run(pause_key="first")
    sim.propose(S.RUNNING)

    assert sim.propose(S.PAUSED, pause_key="second").status is ResponseStatus.ACCEPT
    assert sim.run.empirical_policy.pause_keys == ("first", "second")


def test_suspend_then_resume_through_scheduled_does_not_count_a_run() -> None:
    sim = paused_run(name="Suspended", pause_reschedule=True, pause_key="s")

    resumed = sim.propose(S.SCHEDULED, name="Resuming")
    pending = sim.propose(S.PENDING)
    running = sim.propose(S.RUNNING)

    assert [r.status for r in (resumed, pending, running)] == [ResponseStatus.ACCEPT] * 3
    assert sim.run.run_count == 1
    assert sim.run.empirical_policy.resuming is False


def test_a_refused_resume_still_marks_the_run_as_resuming() -> None:
    sim = paused_run()

    result = sim.propose(S.PENDING)

    assert result.status is ResponseStatus.REJECT
    assert result.state is None
    assert result.run_updates["empirical_policy"].resuming is True
    # ...so the next, successful resume is not counted as a new run.
    sim.propose(S.RUNNING)
    assert sim.run.run_count == 1


def test_a_timed_out_pause_fails_the_run_and_leaves_it_resuming() -> None:
    sim = paused_run(pause_timeout=NOW)  # the simulator's clock is already past NOW

    result = sim.propose(S.RUNNING)

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "The flow run pause has timed out and can no longer resume."
    assert result.state is not None and result.state.type is S.FAILED
    assert result.state.message == "The flow was running and never resumed."
    assert sim.run.state_type is S.FAILED
    assert sim.run.run_count == 1
    assert sim.run.empirical_policy.resuming is True


def test_a_blocking_pause_cannot_be_cancelled_without_force() -> None:
    sim = paused_run()

    assert sim.propose(S.CANCELLING).status is ResponseStatus.REJECT
    forced = sim.propose(S.CANCELLING, policy=MinimalFlowPolicy)
    assert forced.status is ResponseStatus.ACCEPT


def test_old_api_versions_count_every_resume_as_a_run() -> None:
    sim = paused_run()
    sim.propose(S.PENDING)  # refused resume sets resuming=true regardless of the version

    sim.propose(S.RUNNING, api_version=(0, 8, 3))

    assert sim.run.run_count == 2
    assert sim.run.empirical_policy.resuming is True  # not cleared by G14 either
