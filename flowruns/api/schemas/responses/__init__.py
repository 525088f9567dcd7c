"""Response bodies, for the OpenAPI document only (serializers build the real ones).

`tests/flowruns/api/test_openapi.py` checks that each model lists exactly the keys the routes
return, so the documentation cannot drift from the wire format. Views read the bodies routes answer
with as `r.<Model>` and document a route's statuses with `r.answers(...)`; the models nested
in them live in the modules of this package.
"""

from __future__ import annotations

from .errors import ExceptionMessage, answers
from .flow_runs import (
    BulkDeleteResponse,
    FlowRunList,
    FlowRunPaginationResponse,
    FlowRunResponse,
    FlowRunResponses,
    HistoryResponse,
)
from .flows import FlowList, FlowOut, FlowOutList
from .graphs import DependencyResults, GraphOut
from .inputs import FlowRunInputOutList
from .orchestration import BulkSetStateResponse, OrchestrationResultOut
from .states import StateOut, StateOutList
from .task_runs import TaskRunResponse, TaskRunResponses

__all__ = [
    "BulkDeleteResponse",
    "BulkSetStateResponse",
    "DependencyResults",
    "ExceptionMessage",
    "FlowList",
    "FlowOut",
    "FlowOutList",
    "FlowRunInputOutList",
    "FlowRunList",
    "FlowRunPaginationResponse",
    "FlowRunResponse",
    "FlowRunResponses",
    "GraphOut",
    "HistoryResponse",
    "OrchestrationResultOut",
    "StateOut",
    "StateOutList",
    "TaskRunResponse",
    "TaskRunResponses",
    "answers",
]
