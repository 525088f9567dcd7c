"""Pausing and resuming end to end under the core policy (R11, R12 and the run count)."""

from __future__ import annotations

from typing import Any

from orchestration import DeploymentFacts, MinimalFlowPolicy, ResponseStatus, StateType
from tests.orchestration.helpers import DEPLOYMENT_ID, NOW, FlowRunSimulator, flow_run

S = StateType


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
