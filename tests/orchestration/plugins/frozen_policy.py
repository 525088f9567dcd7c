"""The README's example of a custom orchestration rule, plugged into the core policy.

A run tagged `frozen` may not start: proposals to RUNNING are aborted with a reason, and
everything else behaves as under CoreFlowPolicy.
"""

from __future__ import annotations

from orchestration.context import FlowRunFacts, TransitionContext
from orchestration.decisions import ACCEPT, Abort, Decision
from orchestration.policies import CoreFlowPolicy
from orchestration.rules.base import ALL_STATES, Rule, state_types
from orchestration.states import StateType


class ForbidRunningFrozenRuns(Rule[FlowRunFacts]):
    FROM_STATES = ALL_STATES
    TO_STATES = state_types(StateType.RUNNING)

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        if "frozen" in ctx.run.tags:
            return Abort(reason="This run is frozen and may not start.")
        return ACCEPT


class FrozenAwarePolicy(CoreFlowPolicy):
    # Right after duplicate-transition prevention, before the terminal-state rules.
    rules = (*CoreFlowPolicy.rules[:2], ForbidRunningFrozenRuns, *CoreFlowPolicy.rules[2:])
