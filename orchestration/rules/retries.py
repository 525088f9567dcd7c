"""Automatic (in-process) retries of flow runs."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from orchestration.context import FlowRunFacts, TransitionContext
from orchestration.decisions import ACCEPT, Accept, Decision, Effect, Reject, ResetFailedTaskRuns
from orchestration.rules.base import Rule, state_types
from orchestration.states import State, StateType, new_state


def awaiting_retry(failure: State, scheduled_time: datetime) -> State:
    """What a retry rule writes instead of a failure: SCHEDULED `AwaitingRetry` at the retry
    time, keeping the failure's message and result data (and its G1-unique timestamp)."""
    return new_state(
        StateType.SCHEDULED,
        name="AwaitingRetry",
        timestamp=failure.timestamp,
        message=failure.message,
        data=failure.data,
        scheduled_time=scheduled_time,
    )


class RetryFailedFlows(Rule[FlowRunFacts]):
    """R15. A flow run that fails with retries left is not FAILED but `AwaitingRetry`
    (SCHEDULED at now + retry_delay). The client then proposes RUNNING, is told to wait
    until that time, and runs again; run_count counts the attempts. A CRASHED run is never
    retried: the process that would retry it is gone.

    The retry starts a fresh attempt, so the pause bookkeeping is reset. Clients older than
    api-version 0.8.3 expect the server to also rewind the flow's failed task runs; the
    engine cannot touch task runs, so it asks the service to (ResetFailedTaskRuns).
    """

    FROM_STATES = state_types(StateType.RUNNING)
    TO_STATES = state_types(StateType.FAILED)

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        run, proposal = ctx.run, ctx.proposal
        policy = run.empirical_policy
        if policy.retries is None or run.run_count > policy.retries:
            if policy.retry_type is None:
                return ACCEPT
            # Out of retries: clear the marker so a later manual retry is not mistaken
            # for an automatic one.
            return Accept(run={"empirical_policy": dataclasses.replace(policy, retry_type=None)})

        retry_at = ctx.now + timedelta(seconds=policy.retry_delay or 0)
        effects: tuple[Effect, ...] = ()
        if ctx.resets_task_runs_on_retry:
            effects = (ResetFailedTaskRuns(flow_run_id=run.id, scheduled_time=retry_at),)
        updates = {}
        if ctx.tracks_pauses:
            updates["empirical_policy"] = dataclasses.replace(
                policy, resuming=False, pause_keys=(), retry_type="in_process"
            )
        retry_state = awaiting_retry(proposal, retry_at)
        return Reject(state=retry_state, reason="Retrying", run=updates, effects=effects)
