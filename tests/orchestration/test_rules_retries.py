"""RetryFailedFlows (R15): automatic retries and their api-version variants."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration import (
    Accept,
    FlowRunPolicy,
    Reject,
    ResetFailedTaskRuns,
    ResponseStatus,
    StateType,
)
from orchestration.rules import RetryFailedFlows
from tests.orchestration.helpers import (
    NOW,
    RUN_ID,
    FlowRunSimulator,
    flow_ctx,
    flow_run,
    make_state,
    proposal,
    run_flow,
)

S = StateType


def failing(run_count: int, **policy: object) -> Reject | Accept:
    run = flow_run(run_count=run_count, empirical_policy=FlowRunPolicy(**policy))  # type: ignore[arg-type]
    ctx = flow_ctx(
        make_state(S.RUNNING), proposal(S.FAILED, message="boom", data={"x": 1}), run=run
    )
    decision = RetryFailedFlows().before_transition(ctx)
    assert isinstance(decision, Reject | Accept)
    return decision


def test_retry_rejects_failed_with_awaiting_retry() -> None:
    decision = failing(1, retries=2, retry_delay=10)

    assert isinstance(decision, Reject)
    assert decision.reason == "Retrying"
    retry = decision.state
    assert retry is not None
    assert (retry.type, retry.name) == (S.SCHEDULED, "AwaitingRetry")
    assert retry.detail("scheduled_time") == NOW + timedelta(seconds=10)
    assert (retry.message, retry.data) == ("boom", {"x": 1})
    assert retry.timestamp == NOW


def test_retry_resets_pause_bookkeeping_and_marks_an_in_process_retry() -> None:
    decision = failing(1, retries=1, pause_keys=("k",), resuming=True)

    assert decision.run == {
        "empirical_policy": FlowRunPolicy(
            retries=1, pause_keys=(), resuming=False, retry_type="in_process"
        )
    }
    assert decision.effects == ()


def test_retry_without_delay_is_due_immediately() -> None:
    decision = failing(1, retries=1)

    assert isinstance(decision, Reject) and decision.state is not None
    assert decision.state.detail("scheduled_time") == NOW


@pytest.mark.parametrize(("run_count", "retries"), [(3, 2), (1, 0), (5, None)])
def test_retry_accepts_failed_when_retries_are_used_up(run_count: int, retries: int | None) -> None:
    decision = failing(run_count, retries=retries, retry_type="in_process")

    assert decision == Accept(
        run={"empirical_policy": FlowRunPolicy(retries=retries, retry_type=None)}
    )


def test_retry_does_not_touch_crashed_runs() -> None:
    assert not RetryFailedFlows.applies_to(S.RUNNING, S.CRASHED)
    result = run_flow(
        make_state(S.RUNNING),
        proposal(S.CRASHED),
        run=flow_run(run_count=1, empirical_policy=FlowRunPolicy(retries=3)),
    )
    assert result.status is ResponseStatus.ACCEPT


def test_legacy_clients_also_get_their_failed_task_runs_reset() -> None:
    result = run_flow(
        make_state(S.RUNNING),
        proposal(S.FAILED),
        run=flow_run(run_count=1, empirical_policy=FlowRunPolicy(retries=1, retry_delay=5)),
        api_version=(0, 8, 2),
    )

    assert result.reset_failed_task_runs_to == NOW + timedelta(seconds=5)
    assert result.effects == (
        ResetFailedTaskRuns(flow_run_id=RUN_ID, scheduled_time=NOW + timedelta(seconds=5)),
    )
    # below 0.8.4 the pause bookkeeping is left alone
    assert "empirical_policy" not in result.run_updates


def test_api_version_0_8_3_neither_resets_task_runs_nor_pause_bookkeeping() -> None:
    result = run_flow(
        make_state(S.RUNNING),
        proposal(S.FAILED),
        run=flow_run(run_count=1, empirical_policy=FlowRunPolicy(retries=1, resuming=True)),
        api_version=(0, 8, 3),
    )

    assert result.status is ResponseStatus.REJECT
    assert result.reset_failed_task_runs_to is None
    assert "empirical_policy" not in result.run_updates


def test_a_flow_with_two_retries_runs_three_times_then_fails() -> None:
    sim = FlowRunSimulator(run=flow_run(empirical_policy=FlowRunPolicy(retries=2, retry_delay=3)))
    sim.create(S.PENDING)
    seen: list[tuple[str, str | None, int]] = []

    for _attempt in range(3):
        result = sim.propose(S.RUNNING)
        assert result.status is ResponseStatus.ACCEPT
        result = sim.propose(S.FAILED)
        assert sim.state is not None
        seen.append((result.status.value, sim.state.name, sim.run.run_count))
        if result.status is ResponseStatus.REJECT:
            # the client proposes RUNNING again and is held until the retry time
            waited = sim.propose(S.RUNNING)
            assert waited.status is ResponseStatus.WAIT
            assert waited.delay_seconds == 2
            sim.advance(2)

    assert seen == [
        ("REJECT", "AwaitingRetry", 1),
        ("REJECT", "AwaitingRetry", 2),
        ("ACCEPT", "Failed", 3),
    ]
    assert sim.run.empirical_policy.retry_type is None
    assert sim.run.end_time is not None


def test_flows_are_not_renamed_on_retry() -> None:
    sim = FlowRunSimulator(run=flow_run(empirical_policy=FlowRunPolicy(retries=1)))
    sim.create(S.RUNNING)
    sim.propose(S.FAILED)

    sim.propose(S.RUNNING)

    assert sim.state is not None and sim.state.name == "Running"
    assert sim.run.run_count == 2
