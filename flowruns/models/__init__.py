"""Everything the flow-run API stores or filters on (spec/api.md §2)."""

# The state vocabulary lives in the engine; it is re-exported here for model-level callers.
from orchestration.states import StateType

from .base import STATE_TYPE_CHOICES
from .deployment import (
    Deployment,
    DeploymentConcurrencyLease,
    DeploymentSchedule,
    ReapedLease,
)
from .flow import Flow
from .flow_run import FlowRun, FlowRunState
from .inputs import FlowRunInput
from .run_counters import (
    FlowRunCount,
    FlowRunHistoryHour,
    FlowRunHistorySlot,
    FlowRunTagCount,
)
from .task_run import TaskRun, TaskRunState
from .work_pool import Worker, WorkPool, WorkQueue, WorkStatus

__all__ = [
    "STATE_TYPE_CHOICES",
    "Deployment",
    "DeploymentConcurrencyLease",
    "DeploymentSchedule",
    "Flow",
    "FlowRun",
    "FlowRunCount",
    "FlowRunHistoryHour",
    "FlowRunHistorySlot",
    "FlowRunInput",
    "FlowRunState",
    "FlowRunTagCount",
    "ReapedLease",
    "StateType",
    "TaskRun",
    "TaskRunState",
    "WorkPool",
    "WorkQueue",
    "WorkStatus",
    "Worker",
]
