"""Guards against repeated or racing proposals."""

from __future__ import annotations

from orchestration.context import RunFacts, TransitionContext
from orchestration.decisions import ACCEPT, Abort, Accept, Decision, Reject
from orchestration.rules.base import ALL_STATES, Rule, state_types
from orchestration.states import StateType

LEASE = "deployment_concurrency_lease_id"


class PreventDuplicateTransitions(Rule[RunFacts]):
    """R2. A client that lost the response to a set_state call retries it with the same
    `transition_id`; answering with the state the first attempt created (and writing
    nothing) makes the retry idempotent."""

    FROM_STATES = ALL_STATES
    TO_STATES = ALL_STATES

    def before_transition(self, ctx: TransitionContext[RunFacts]) -> Decision:
        if ctx.initial_state is None:
            return ACCEPT
        current_id = ctx.initial_state.detail("transition_id")
        proposed_id = ctx.proposal.detail("transition_id")
        if current_id is not None and proposed_id is not None and current_id == proposed_id:
            return Reject(state=None, reason="This run has already made this state transition.")
        return ACCEPT


class PreventPendingTransitions(Rule[RunFacts]):
    """R6. PENDING is the "I am submitting this run" claim. When two workers race, the
    loser finds the run already PENDING (or further along) and is told to abort, so it
    never starts a second copy of the infrastructure.

    One exception: a worker may walk PENDING through named sub-states (`Submitting`,
    `InfrastructurePending`); those keep the scheduled time and slot lease of the PENDING
    state they replace.
    """

    FROM_STATES = state_types(
        StateType.PENDING, StateType.CANCELLING, StateType.RUNNING, StateType.CANCELLED
    )
    TO_STATES = state_types(StateType.PENDING)

    def before_transition(self, ctx: TransitionContext[RunFacts]) -> Decision:
        current, proposal = ctx.current, ctx.proposal
        if (
            current.type is StateType.PENDING
            and current.name != proposal.name
            and proposal.name != "Pending"
        ):
            carried = proposal.with_details(
                scheduled_time=current.detail("scheduled_time"),
                **{LEASE: current.detail(LEASE)},
            )
            return Accept(state=carried)
        return Abort(
            reason=(
                f"This run is in a {current.type.name} state and cannot transition to a "
                "PENDING state."
            )
        )
