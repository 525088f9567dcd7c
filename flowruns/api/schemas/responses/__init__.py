"""Response bodies, for the OpenAPI document only (serializers build the real ones).

`tests/api/test_openapi.py` checks that each model lists exactly the keys the routes return,
so the documentation cannot drift from the wire format. Views read them as `r.<Model>` and
document a route's statuses with `r.answers(...)`.
"""

from __future__ import annotations

from .concurrency import LeaseOut, MinimalLimitOut, MinimalLimitOutList
from .errors import (
    ErrorDetail,
    ExceptionMessage,
    ValidationErrorEntry,
    ValidationErrorResponse,
    answers,
)
from .flow_runs import (
    BulkDeleteResponse,
    CreatedByOut,
    FlowRunList,
    FlowRunPaginationResponse,
    FlowRunPolicyOut,
    FlowRunResponse,
    FlowRunResponses,
    HistoryBucketOut,
    HistoryResponse,
    HistoryStateOut,
)
from .flows import FlowList, FlowOut, FlowOutList
from .graphs import (
    DependencyResultOut,
    DependencyResults,
    GraphArtifactOut,
    GraphEdge,
    GraphNodeOut,
    GraphOut,
    GraphStateOut,
    TaskRunResultOut,
)
from .inputs import FlowRunInputOut, FlowRunInputOutList
from .orchestration import (
    BulkSetStateResponse,
    BulkSetStateResult,
    OrchestrationDetails,
    OrchestrationResultOut,
)
from .states import StateDetailsOut, StateOut, StateOutList
from .task_runs import TaskRunInputOut, TaskRunPolicyOut, TaskRunResponse, TaskRunResponses

__all__ = [
    "BulkDeleteResponse",
    "BulkSetStateResponse",
    "BulkSetStateResult",
    "CreatedByOut",
    "DependencyResultOut",
    "DependencyResults",
    "ErrorDetail",
    "ExceptionMessage",
    "FlowList",
    "FlowOut",
    "FlowOutList",
    "FlowRunInputOut",
    "FlowRunInputOutList",
    "FlowRunList",
    "FlowRunPaginationResponse",
    "FlowRunPolicyOut",
    "FlowRunResponse",
    "FlowRunResponses",
    "GraphArtifactOut",
    "GraphEdge",
    "GraphNodeOut",
    "GraphOut",
    "GraphStateOut",
    "HistoryBucketOut",
    "HistoryResponse",
    "HistoryStateOut",
    "LeaseOut",
    "MinimalLimitOut",
    "MinimalLimitOutList",
    "OrchestrationDetails",
    "OrchestrationResultOut",
    "StateDetailsOut",
    "StateOut",
    "StateOutList",
    "TaskRunInputOut",
    "TaskRunPolicyOut",
    "TaskRunResponse",
    "TaskRunResponses",
    "TaskRunResultOut",
    "ValidationErrorEntry",
    "ValidationErrorResponse",
    "answers",
]
