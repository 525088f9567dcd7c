"""Everything the flow-run API stores or filters on (spec/api.md §2)."""

from .base import StateType
from .deployment import Deployment, DeploymentConcurrencyLease
from .flow import Flow
from .flow_run import FlowRun, FlowRunState
from .inputs import FlowRunInput
from .task_run import TaskRun, TaskRunState
from .work_pool import WorkPool, WorkQueue

__all__ = [
    "Deployment",
    "DeploymentConcurrencyLease",
    "Flow",
    "FlowRun",
    "FlowRunInput",
    "FlowRunState",
    "StateType",
    "TaskRun",
    "TaskRunState",
    "WorkPool",
    "WorkQueue",
]
