"""CopyScheduledTime (R13), WaitForScheduledTime (R14), EnsureOnlyScheduledFlowsMarkedLate
(R10) and the MarkLateRunsPolicy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration import (
    Accept,
    DeploymentFacts,
    MarkLateRunsPolicy,
    Reject,
    ResponseStatus,
    StateType,
    Wait,
)
from orchestration.rules import (
    CopyScheduledTime,
    EnsureOnlyScheduledFlowsMarkedLate,
    WaitForScheduledTime,
)
from orchestration.rules.scheduling import seconds_until
from tests.orchestration.helpers import (
    DEPLOYMENT_ID,
    NOW,
    flow_ctx,
    flow_run,
    make_state,
    proposal,
    run_flow,
)

S = StateType


def test_pending_inherits_the_scheduled_time() -> None:
    scheduled = NOW - timedelta(seconds=5)
    ctx = flow_ctx(make_state(S.SCHEDULED, scheduled_time=scheduled), proposal(S.PENDING))

    decision = CopyScheduledTime().before_transition(ctx)

    assert isinstance(decision, Accept) and decision.state is not None
    assert decision.state.detail("scheduled_time") == scheduled


def test_pending_keeps_its_own_scheduled_time() -> None:
    own = NOW + timedelta(hours=1)
    ctx = flow_ctx(
        make_state(S.SCHEDULED, scheduled_time=NOW), proposal(S.PENDING, scheduled_time=own)
    )

    decision = CopyScheduledTime().before_transition(ctx)

    assert isinstance(decision, Accept) and decision.state is None


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(seconds=10), 10),
        (timedelta(seconds=1, microseconds=500_000), 1),  # exactly .5 rounds down
        (timedelta(seconds=1, microseconds=500_001), 2),
        (timedelta(seconds=2, microseconds=499_999), 2),
        (timedelta(microseconds=500_000), 0),
        (timedelta(microseconds=500_001), 1),
        (timedelta(0), 0),
        (timedelta(seconds=-3), -3),
    ],
)
def test_seconds_until_rounds_to_nearest_with_ties_down(offset: timedelta, expected: int) -> None:
    assert seconds_until(NOW + offset, NOW) == expected


@pytest.mark.parametrize("current_type", [S.SCHEDULED, S.PENDING])
def test_running_before_the_scheduled_time_waits(current_type: StateType) -> None:
    ctx = flow_ctx(
        make_state(current_type, scheduled_time=NOW + timedelta(seconds=42, microseconds=600_000)),
        proposal(S.RUNNING),
    )

    decision = WaitForScheduledTime().before_transition(ctx)

    assert decision == Wait(delay_seconds=43, reason="Scheduled time is in the future")


@pytest.mark.parametrize(
    "scheduled_time",
    [None, NOW, NOW - timedelta(hours=1), NOW + timedelta(microseconds=500_000)],
    ids=["unset", "now", "past", "half-second-ahead"],
)
def test_running_at_or_after_the_scheduled_time_is_accepted(scheduled_time: object) -> None:
    ctx = flow_ctx(make_state(S.SCHEDULED, scheduled_time=scheduled_time), proposal(S.RUNNING))

    assert isinstance(WaitForScheduledTime().before_transition(ctx), Accept)


def test_waiting_is_not_applied_to_resumes_or_first_states() -> None:
    assert not WaitForScheduledTime.applies_to(S.PAUSED, S.RUNNING)
    assert not WaitForScheduledTime.applies_to(None, S.RUNNING)


@pytest.mark.parametrize("current_type", [t for t in StateType if t is not S.SCHEDULED])
def test_only_scheduled_runs_can_be_marked_late(current_type: StateType) -> None:
    ctx = flow_ctx(make_state(current_type), proposal(S.SCHEDULED, name="Late"))

    decision = EnsureOnlyScheduledFlowsMarkedLate().before_transition(ctx)

    assert decision == Reject(state=None, reason="Only scheduled flows can be marked late.")


def test_a_late_run_is_not_marked_late_twice() -> None:
    ctx = flow_ctx(make_state(S.SCHEDULED, name="Late"), proposal(S.SCHEDULED, name="Late"))

    decision = EnsureOnlyScheduledFlowsMarkedLate().before_transition(ctx)

    assert decision == Reject(state=None, reason="This flow run is already marked late.")


@pytest.mark.parametrize("current_name", ["Scheduled", "AwaitingRetry", "Resuming"])
def test_a_scheduled_run_can_be_marked_late(current_name: str) -> None:
    ctx = flow_ctx(make_state(S.SCHEDULED, name=current_name), proposal(S.SCHEDULED, name="Late"))

    assert isinstance(EnsureOnlyScheduledFlowsMarkedLate().before_transition(ctx), Accept)


def test_late_check_ignores_other_scheduled_names_and_first_states() -> None:
    rule = EnsureOnlyScheduledFlowsMarkedLate()
    assert isinstance(
        rule.before_transition(flow_ctx(make_state(S.RUNNING), proposal(S.SCHEDULED))), Accept
    )
    assert isinstance(
        rule.before_transition(flow_ctx(None, proposal(S.SCHEDULED, name="Late"))), Accept
    )


def test_mark_late_policy_marks_a_scheduled_run_late() -> None:
    late_since = NOW - timedelta(minutes=5)
    result = run_flow(
        make_state(S.SCHEDULED, scheduled_time=late_since),
        proposal(S.SCHEDULED, name="Late", scheduled_time=late_since),
        policy=MarkLateRunsPolicy,
    )

    assert result.status is ResponseStatus.ACCEPT
    assert result.run_updates["state_name"] == "Late"
    assert result.run_updates.get("next_scheduled_start_time", late_since) == late_since


def test_mark_late_policy_cancels_late_runs_of_a_full_cancel_new_deployment() -> None:
    result = run_flow(
        make_state(S.SCHEDULED),
        proposal(S.SCHEDULED, name="Late"),
        policy=MarkLateRunsPolicy,
        run=flow_run(deployment_id=DEPLOYMENT_ID),
        deployment=DeploymentFacts(
            concurrency_limit=2, active_slots=2, collision_strategy="CANCEL_NEW"
        ),
    )

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "Deployment concurrency limit is full and uses the CANCEL_NEW strategy."
    assert result.state is not None
    assert (result.state.type, result.state.message) == (
        S.CANCELLED,
        "Deployment concurrency limit reached.",
    )


@pytest.mark.parametrize(
    "deployment",
    [
        DeploymentFacts(concurrency_limit=2, active_slots=1, collision_strategy="CANCEL_NEW"),
        DeploymentFacts(concurrency_limit=2, active_slots=2, collision_strategy="ENQUEUE"),
        DeploymentFacts(concurrency_limit=None, active_slots=9, collision_strategy="CANCEL_NEW"),
    ],
    ids=["room-left", "enqueue", "no-limit"],
)
def test_mark_late_policy_keeps_other_deployment_runs_scheduled(
    deployment: DeploymentFacts,
) -> None:
    result = run_flow(
        make_state(S.SCHEDULED),
        proposal(S.SCHEDULED, name="Late"),
        policy=MarkLateRunsPolicy,
        run=flow_run(deployment_id=DEPLOYMENT_ID),
        deployment=deployment,
    )

    assert result.status is ResponseStatus.ACCEPT
    assert result.state is not None and result.state.name == "Late"
