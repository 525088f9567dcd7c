"""Rules for runs on their way to CANCELLED."""

from __future__ import annotations

from orchestration.context import FlowRunFacts, RunFacts, TransitionContext
from orchestration.decisions import ACCEPT, Decision, Reject
from orchestration.rules.base import ALL_STATES, Rule, state_types
from orchestration.states import StateType, new_state


class EnforceCancellingToCancelledTransition(Rule[RunFacts]):
    """R4. CANCELLING means infrastructure tear-down is under way; the only way out is the
    confirmation that it is gone (CANCELLED). A late COMPLETED/FAILED from the dying
    process, or a second cancel, is refused without writing anything."""

    FROM_STATES = state_types(StateType.CANCELLING)
    TO_STATES = ALL_STATES - {StateType.CANCELLED}

    def before_transition(self, ctx: TransitionContext[RunFacts]) -> Decision:
        return Reject(
            state=None,
            reason="Cannot transition flows that are cancelling to a state other than Cancelled.",
        )


class BypassCancellingFlowRunsWithNoInfra(Rule[FlowRunFacts]):
    """R5. CANCELLING asks a worker to tear infrastructure down. A run that has none —
    scheduled and never started (no `infrastructure_pid`), resuming from a suspend, or
    suspended (its process exited) — would sit in CANCELLING forever, so it goes straight
    to CANCELLED instead. A SCHEDULED run *with* a pid (e.g. AwaitingRetry inside a live
    process) still goes through CANCELLING."""

    FROM_STATES = state_types(StateType.SCHEDULED, StateType.PAUSED)
    TO_STATES = state_types(StateType.CANCELLING)

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        current, proposal = ctx.current, ctx.proposal
        if (
            current.type is StateType.SCHEDULED and not ctx.run.infrastructure_pid
        ) or current.name == "Resuming":
            return Reject(
                state=new_state(StateType.CANCELLED, timestamp=proposal.timestamp),
                reason="Scheduled flow run has no infrastructure to terminate.",
            )
        if current.type is StateType.PAUSED and current.detail("pause_reschedule"):
            return Reject(
                state=new_state(StateType.CANCELLED, timestamp=proposal.timestamp),
                reason="Suspended flow run has no infrastructure to terminate.",
            )
        return ACCEPT
