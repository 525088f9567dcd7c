"""The orchestration engine: plain Python, no Django, no models.

The service builds a `TransitionContext` from the locked run, calls `orchestrate` with the
policy named in settings, then writes `result.state`, persists `result.run_updates` and
carries out `result.effects`, all in the same transaction.
"""

from orchestration.context import (
    DeploymentFacts,
    FlowRunFacts,
    ParentFlowRunFacts,
    RunFacts,
    TaskRunFacts,
    TransitionContext,
)
from orchestration.decisions import (
    Abort,
    Accept,
    Decision,
    Effect,
    Reject,
    ResetFailedTaskRuns,
    SyncParentTaskRun,
    Update,
    Wait,
)
from orchestration.engine import (
    OrchestrationError,
    OrchestrationResult,
    ResponseStatus,
    orchestrate,
)
from orchestration.ids import uuid7
from orchestration.loading import PolicyLoadError, load_policy
from orchestration.policies import (
    CoreFlowPolicy,
    CoreTaskPolicy,
    GlobalFlowPolicy,
    GlobalTaskPolicy,
    MarkLateRunsPolicy,
    MinimalFlowPolicy,
    MinimalTaskPolicy,
    Policy,
)
from orchestration.run_policy import FlowRunPolicy, TaskRunPolicy
from orchestration.slots import ConcurrencySlots, InMemorySlots, NoSlots
from orchestration.states import State, StateType, new_state

__all__ = [
    "Abort",
    "Accept",
    "ConcurrencySlots",
    "CoreFlowPolicy",
    "CoreTaskPolicy",
    "Decision",
    "DeploymentFacts",
    "Effect",
    "FlowRunFacts",
    "FlowRunPolicy",
    "GlobalFlowPolicy",
    "GlobalTaskPolicy",
    "InMemorySlots",
    "MarkLateRunsPolicy",
    "MinimalFlowPolicy",
    "MinimalTaskPolicy",
    "NoSlots",
    "OrchestrationError",
    "OrchestrationResult",
    "ParentFlowRunFacts",
    "Policy",
    "PolicyLoadError",
    "Reject",
    "ResetFailedTaskRuns",
    "ResponseStatus",
    "RunFacts",
    "State",
    "StateType",
    "SyncParentTaskRun",
    "TaskRunFacts",
    "TaskRunPolicy",
    "TransitionContext",
    "Update",
    "Wait",
    "load_policy",
    "new_state",
    "orchestrate",
    "uuid7",
]
