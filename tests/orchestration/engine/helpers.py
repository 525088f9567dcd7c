"""Recording rules and small policies for the rule-lifecycle tests (orchestration.md §2.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from orchestration import (
    Accept,
    Decision,
    FlowRunFacts,
    Policy,
    Reject,
    StateType,
    TransitionContext,
    Update,
    orchestrate,
)
from orchestration.decisions import NO_CHANGE
from orchestration.rules import ALL_STATES, Rule, Transform
from tests.orchestration.helpers import flow_ctx, make_state, proposal

S = StateType

Log = list[str]

Hook = Callable[[TransitionContext[FlowRunFacts]], Decision]


def recording(
    name: str,
    log: Log,
    *,
    from_states: frozenset[StateType | None] = ALL_STATES,
    to_states: frozenset[StateType | None] = ALL_STATES,
    before: Hook | None = None,
) -> type[Rule[FlowRunFacts]]:
    """A rule class that logs every hook it gets and decides with `before`."""

    class Recording(Rule[FlowRunFacts]):
        FROM_STATES = from_states
        TO_STATES = to_states

        def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
            log.append(f"{name}.before")
            return Accept() if before is None else before(ctx)

        def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
            log.append(f"{name}.after")
            return NO_CHANGE

        def cleanup(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
            log.append(f"{name}.cleanup")
            return NO_CHANGE

    Recording.__name__ = name
    return Recording


def recording_transform(name: str, log: Log) -> type[Transform[FlowRunFacts]]:
    class Recording(Transform[FlowRunFacts]):
        def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Accept:
            log.append(f"{name}.before:{ctx.proposed_type}")
            return Accept()

        def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
            log.append(f"{name}.after:{ctx.proposed_type}")
            return NO_CHANGE

    Recording.__name__ = name
    return Recording


def policy_of(*steps: type[Any], books: tuple[type[Any], ...] = ()) -> type[Policy]:
    class Books(Policy):
        rules = books

    class Composed(Policy):
        rules = steps
        bookkeeping = Books

    return Composed


def reject_to(state_type: StateType | None) -> Hook:
    def decide(ctx: TransitionContext[FlowRunFacts]) -> Decision:
        state = None if state_type is None else proposal(state_type)
        return Reject(state=state, reason=f"to {state_type}")

    return decide


def orchestrate_running_to_completed(policy: type[Policy]) -> Any:
    return orchestrate(flow_ctx(make_state(S.RUNNING), proposal(S.COMPLETED)), policy)
