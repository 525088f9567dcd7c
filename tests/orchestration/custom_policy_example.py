"""A user-defined policy, loaded by dotted path in test_policies.py."""

from __future__ import annotations

from orchestration import CoreFlowPolicy, Decision, FlowRunFacts, Reject, StateType
from orchestration.context import TransitionContext
from orchestration.decisions import ACCEPT
from orchestration.rules import ALL_STATES, Rule, state_types


class ForbidRunningOnTheThirdAttempt(Rule[FlowRunFacts]):
    """Refuses a third RUNNING: a stand-in for a site-specific rule."""

    FROM_STATES = ALL_STATES
    TO_STATES = state_types(StateType.RUNNING)

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        if ctx.run.run_count >= 2:
            return Reject(state=None, reason="Two attempts are enough.")
        return ACCEPT


class TwoAttemptsPolicy(CoreFlowPolicy):
    rules = (*CoreFlowPolicy.rules[:3], ForbidRunningOnTheThirdAttempt, *CoreFlowPolicy.rules[3:])


NOT_A_POLICY = object()


class BrokenPolicy(CoreFlowPolicy):
    rules = (*CoreFlowPolicy.rules, print)  # type: ignore[arg-type]
