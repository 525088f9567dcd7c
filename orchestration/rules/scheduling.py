"""Scheduled start times: carrying them forward, waiting for them, marking runs late."""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.context import RunFacts, TransitionContext
from orchestration.decisions import ACCEPT, Accept, Decision, Reject, Wait
from orchestration.rules.base import ALL_STATES, Rule, state_types
from orchestration.states import StateType


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds from `now` to `moment`, rounded to nearest; exactly .5 rounds down.

    Integer arithmetic on microseconds, so the tie case is exact rather than a float
    accident. Negative when `moment` has passed.
    """
    micros = (moment - now) // timedelta(microseconds=1)
    whole, fraction = divmod(micros, 1_000_000)
    return whole + (1 if fraction > 500_000 else 0)


class CopyScheduledTime(Rule[RunFacts]):
    """R13. A run claimed for submission keeps its scheduled time on the PENDING state,
    so WaitForScheduledTime can still hold a worker that claimed it early (e.g. a run that
    got its concurrency slot before its `AwaitingConcurrencySlot` time)."""

    FROM_STATES = state_types(StateType.SCHEDULED)
    TO_STATES = state_types(StateType.PENDING)

    def before_transition(self, ctx: TransitionContext[RunFacts]) -> Decision:
        proposal = ctx.proposal
        if proposal.detail("scheduled_time") is None:
            scheduled = ctx.current.detail("scheduled_time")
            return Accept(state=proposal.with_details(scheduled_time=scheduled))
        return ACCEPT


class WaitForScheduledTime(Rule[RunFacts]):
    """R14. Runs start by the server's clock: a start proposed before the current state's
    scheduled time writes nothing and tells the client how long to wait. Resumes
    (PAUSED → RUNNING) and first states are not held."""

    FROM_STATES = state_types(StateType.SCHEDULED, StateType.PENDING)
    TO_STATES = state_types(StateType.RUNNING)

    def before_transition(self, ctx: TransitionContext[RunFacts]) -> Decision:
        scheduled = ctx.current.detail("scheduled_time")
        if scheduled is None:
            return ACCEPT
        delay = seconds_until(scheduled, ctx.now)
        if delay > 0:
            return Wait(delay_seconds=delay, reason="Scheduled time is in the future")
        return ACCEPT


class EnsureOnlyScheduledFlowsMarkedLate(Rule[RunFacts]):
    """R10. `Late` is a label for a SCHEDULED run that missed its start; applying it to a
    run in any other state, or twice, would be wrong (and would re-fire late automations)."""

    FROM_STATES = ALL_STATES
    TO_STATES = state_types(StateType.SCHEDULED)

    def before_transition(self, ctx: TransitionContext[RunFacts]) -> Decision:
        current, proposal = ctx.initial_state, ctx.proposal
        if current is None or proposal.name != "Late":
            return ACCEPT
        if current.type is not StateType.SCHEDULED:
            return Reject(state=None, reason="Only scheduled flows can be marked late.")
        if current.name == "Late":
            return Reject(state=None, reason="This flow run is already marked late.")
        return ACCEPT
