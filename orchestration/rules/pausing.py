"""Pausing (blocking pause, or "suspend" with `pause_reschedule`) and resuming flow runs."""

from __future__ import annotations

import dataclasses
from uuid import uuid4

from orchestration.context import FlowRunFacts, TransitionContext
from orchestration.decisions import ACCEPT, NO_CHANGE, Abort, Decision, Reject, Update
from orchestration.rules.base import ALL_STATES, Rule, state_types
from orchestration.states import TERMINAL_TYPES, State, StateType, new_state


def _verb(proposal: State) -> str:
    return "suspend" if proposal.name == "Suspended" else "pause"


class HandlePausingFlows(Rule[FlowRunFacts]):
    """R11. Only a running flow can pause, and each `pause_key` (one pause call site) fires
    once per run, so a flow that pauses in a loop or is re-run from the top does not stop
    at a pause it already passed. Suspending (the process exits and the run is later
    rescheduled) needs a deployment to reschedule through and is not possible for
    subflows, whose parent process is still waiting on them.

    The key is recorded only once the pause is actually written (`after_transition`).
    """

    FROM_STATES = ALL_STATES
    TO_STATES = state_types(StateType.PAUSED)

    def __init__(self) -> None:
        self.key: str | None = None

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        proposal, verb = ctx.proposal, _verb(ctx.proposal)
        if ctx.initial_state is None:
            return Abort(reason=f"Cannot {verb} flows with no state.")
        if ctx.initial_state.type is not StateType.RUNNING:
            return Reject(state=None, reason=f"Cannot {verb} flows that are not currently running.")
        self.key = proposal.detail("pause_key") or str(uuid4())
        if self.key in ctx.run.empirical_policy.pause_keys:
            return Reject(state=None, reason=f"This {verb} has already fired.")
        if proposal.detail("pause_reschedule"):
            if ctx.run.parent_task_run_id is not None:
                return Abort(reason=f"Cannot {verb} subflows.")
            if ctx.run.deployment_id is None:
                return Abort(reason=f"Cannot {verb} flows without a deployment.")
        return ACCEPT

    def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        if self.key is None:
            return NO_CHANGE
        return Update(run={"empirical_policy": ctx.run.empirical_policy.with_pause_key(self.key)})


class HandleResumingPausedFlows(Rule[FlowRunFacts]):
    """R12. A paused run may only leave PAUSED to run again (RUNNING, or SCHEDULED for a
    suspended run) or to finish; a suspended run needs a deployment to be rescheduled; and
    a pause past its `pause_timeout` can no longer be resumed, so the attempt turns into
    FAILED.

    `after_transition` marks the run as resuming so the next RUNNING is not counted as a
    new attempt. Because TO_STATES is every state (None included), the engine runs it
    even when this rule itself rejected — Prefect does the same, and clients see it
    (orchestration.md §2.2 point 4, §3.8 quirk 7).

    The messages name the *proposed* state ("The flow was running and never resumed.");
    that wording is Prefect's and is kept for compatibility.
    """

    FROM_STATES = state_types(StateType.PAUSED)
    TO_STATES = ALL_STATES

    _LEAVES_PAUSE = frozenset({StateType.RUNNING, StateType.SCHEDULED, *TERMINAL_TYPES})

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        current, proposal = ctx.current, ctx.proposal
        if proposal.type not in self._LEAVES_PAUSE:
            return Reject(
                state=None,
                reason=(
                    f"This run cannot transition to the StateType.{proposal.type.value} state "
                    f"from the StateType.{current.type.value} state."
                ),
            )
        shown_name = (proposal.name or proposal.type.value).lower()
        if current.detail("pause_reschedule") and ctx.run.deployment_id is None:
            return Reject(
                state=None,
                reason=f"Cannot reschedule a {shown_name} flow run without a deployment.",
            )
        timeout = current.detail("pause_timeout")
        if timeout is not None and timeout < ctx.now:
            failed = new_state(
                StateType.FAILED,
                timestamp=proposal.timestamp,
                message=f"The flow was {shown_name} and never resumed.",
            )
            return Reject(
                state=failed,
                reason=f"The flow run {_verb(proposal)} has timed out and can no longer resume.",
            )
        return ACCEPT

    def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        policy = dataclasses.replace(ctx.run.empirical_policy, resuming=True)
        return Update(run={"empirical_policy": policy})
