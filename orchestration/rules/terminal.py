"""Protection of finished flow runs."""

from __future__ import annotations

import dataclasses

from orchestration.context import FlowRunFacts, RunFacts, TransitionContext
from orchestration.decisions import ACCEPT, NO_CHANGE, Abort, Accept, Decision, Reject, Update
from orchestration.rules.base import ALL_STATES, TERMINAL_STATES, Rule
from orchestration.run_policy import FlowRunPolicy
from orchestration.states import State, StateType, has_persisted_data

DATA_LOSS_REASON = (
    "Cannot overwrite a COMPLETED state that carries persisted result data with one that does not."
)


def _would_lose_result(current: State, proposal: State) -> bool:
    return (
        current.type is StateType.COMPLETED
        and proposal.type is StateType.COMPLETED
        and has_persisted_data(current.data)
        and not has_persisted_data(proposal.data)
    )


class HandleFlowTerminalStateTransitions(Rule[FlowRunFacts]):
    """R3. A finished run may be re-run (terminal → SCHEDULED/PENDING/RUNNING, a "manual
    retry") or have its final state corrected (terminal → terminal), but:

    * it cannot be paused, cancelled or crash again;
    * a COMPLETED run whose result was persisted keeps it: re-running it is refused, and
      so is overwriting it with a COMPLETED that has no result;
    * rescheduling needs a deployment, since nothing else would ever pick the run up.

    Leaving a terminal state starts a fresh attempt, so the pause bookkeeping is reset
    (run_count is kept). If a later rule refuses the transition after all, `cleanup` puts
    the previous policy back.
    """

    FROM_STATES = TERMINAL_STATES
    TO_STATES = ALL_STATES

    def __init__(self) -> None:
        self.original_policy: FlowRunPolicy | None = None

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        current, proposal = ctx.current, ctx.proposal
        self.original_policy = ctx.run.empirical_policy
        if proposal.type in {StateType.CANCELLING, StateType.PAUSED, StateType.CRASHED}:
            return Abort(reason=f"Run is already in terminal state {current.type.value}.")
        if (
            current.type is StateType.COMPLETED
            and not proposal.is_terminal
            and has_persisted_data(current.data)
        ):
            return Reject(state=None, reason="Run is already COMPLETED.")
        if _would_lose_result(ctx.current, ctx.proposal):
            return Reject(state=None, reason=DATA_LOSS_REASON)
        if proposal.type is StateType.SCHEDULED and ctx.run.deployment_id is None:
            return Abort(reason="Cannot reschedule a run without an associated deployment.")
        if not proposal.is_terminal and ctx.tracks_pauses:
            policy = dataclasses.replace(
                ctx.run.empirical_policy,
                resuming=False,
                pause_keys=(),
                retry_type="reschedule" if proposal.type is StateType.SCHEDULED else None,
            )
            return Accept(run={"empirical_policy": policy})
        return ACCEPT

    def cleanup(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        if self.original_policy is None:
            return NO_CHANGE
        return Update(run={"empirical_policy": self.original_policy})


class PreventResultDataLoss(Rule[RunFacts]):
    """The one terminal-state check kept under force: a COMPLETED state with a persisted
    result is never replaced by a COMPLETED without one, since that would orphan the
    stored result."""

    FROM_STATES = TERMINAL_STATES
    TO_STATES = TERMINAL_STATES

    def before_transition(self, ctx: TransitionContext[RunFacts]) -> Decision:
        if _would_lose_result(ctx.current, ctx.proposal):
            return Reject(state=None, reason=DATA_LOSS_REASON)
        return ACCEPT
