"""Response bodies, for the OpenAPI document only (serializers build the real ones).

`tests/api/test_openapi.py` checks that each model lists exactly the keys the routes return,
so the documentation cannot drift from the wire format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, RootModel

from flowruns.models import StateType


class StateDetailsOut(BaseModel):
    flow_run_id: UUID | None
    task_run_id: UUID | None
    child_flow_run_id: UUID | None
    scheduled_time: datetime | None
    cache_key: str | None
    cache_expiration: datetime | None
    deferred: bool | None
    untrackable_result: bool
    pause_timeout: datetime | None
    pause_reschedule: bool
    pause_key: str | None
    run_input_keyset: dict[str, str] | None
    refresh_cache: bool | None
    retriable: bool | None
    transition_id: UUID | None
    task_parameters_id: UUID | None
    traceparent: str | None
    deployment_concurrency_lease_id: UUID | None


class StateOut(BaseModel):
    id: UUID
    type: StateType
    name: str
    timestamp: datetime
    message: str | None
    data: Any
    state_details: StateDetailsOut


class FlowRunPolicyOut(BaseModel):
    max_retries: int
    retry_delay_seconds: float
    retries: int | None
    retry_delay: int | None
    pause_keys: list[str]
    resuming: bool | None
    retry_type: Literal["in_process", "reschedule"] | None


class CreatedByOut(BaseModel):
    id: UUID | None
    type: str | None
    display_value: str | None


class FlowRunResponse(BaseModel):
    """Durations are float seconds; datetimes are UTC with a `Z`."""

    id: UUID
    created: datetime
    updated: datetime
    name: str
    flow_id: UUID
    state_id: UUID | None
    deployment_id: UUID | None
    deployment_version: str | None
    work_queue_id: UUID | None
    work_queue_name: str | None
    flow_version: str | None
    parameters: dict[str, Any]
    idempotency_key: str | None
    context: dict[str, Any]
    empirical_policy: FlowRunPolicyOut
    tags: list[str]
    labels: dict[str, Any]
    parent_task_run_id: UUID | None
    state_type: StateType | None
    state_name: str | None
    run_count: int
    expected_start_time: datetime | None
    next_scheduled_start_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    total_run_time: float
    estimated_run_time: float
    estimated_start_time_delta: float
    auto_scheduled: bool
    infrastructure_document_id: UUID | None
    infrastructure_pid: str | None
    created_by: CreatedByOut | None
    work_pool_id: UUID | None
    work_pool_name: str | None
    state: StateOut | None
    job_variables: dict[str, Any] | None


class FlowOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    name: str
    tags: list[str]
    labels: dict[str, Any] | None


class FlowRunInputOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    flow_run_id: UUID
    key: str
    value: str
    sender: str | None


class OrchestrationDetails(BaseModel):
    type: Literal["accept_details", "reject_details", "wait_details", "abort_details"]
    reason: str | None = None
    delay_seconds: int | None = None


class OrchestrationResultOut(BaseModel):
    """201 when this request wrote a state row, 200 otherwise; branch on `status`."""

    state: StateOut | None
    status: Literal["ACCEPT", "REJECT", "WAIT", "ABORT"]
    details: OrchestrationDetails


class BulkSetStateResult(BaseModel):
    flow_run_id: UUID
    status: Literal["ACCEPT", "REJECT", "WAIT", "ABORT"]
    state: StateOut | None
    details: OrchestrationDetails


class BulkSetStateResponse(BaseModel):
    results: list[BulkSetStateResult]


class BulkDeleteResponse(BaseModel):
    deleted: list[UUID]


class FlowRunPaginationResponse(BaseModel):
    results: list[FlowRunResponse]
    count: int
    limit: int
    pages: int
    page: int


class ErrorDetail(BaseModel):
    detail: str


class ValidationErrorEntry(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    input: Any
    ctx: dict[str, Any] | None = None


class ValidationErrorResponse(BaseModel):
    exception_message: str
    exception_detail: list[ValidationErrorEntry]
    request_body: Any


class ExceptionMessage(BaseModel):
    exception_message: str


class FlowRunList(BaseModel):
    """`GET /api/flow_runs/` (REST): limit/offset pages."""

    count: int
    next: str | None
    previous: str | None
    results: list[FlowRunResponse]


class FlowList(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[FlowOut]


class HistoryStateOut(BaseModel):
    state_type: StateType | None
    state_name: str | None
    count_runs: int
    sum_estimated_run_time: float
    sum_estimated_lateness: float


class HistoryBucketOut(BaseModel):
    interval_start: datetime
    interval_end: datetime
    states: list[HistoryStateOut]


class HistoryResponse(RootModel[list[HistoryBucketOut]]):
    pass


class FlowRunResponses(RootModel[list[FlowRunResponse]]):
    pass


class FlowOutList(RootModel[list[FlowOut]]):
    pass


class StateOutList(RootModel[list[StateOut]]):
    pass


class FlowRunInputOutList(RootModel[list[FlowRunInputOut]]):
    pass


# --- task runs and flow-run graphs ------------------------------------------------------------


class TaskRunPolicyOut(BaseModel):
    max_retries: int
    retry_delay_seconds: float
    retries: int | None
    retry_delay: int | float | list[int] | list[float] | None
    retry_jitter_factor: float | None


class TaskRunInputOut(BaseModel):
    """One entry of `task_inputs`: `task_run`/`flow_run` carry `id`, `parameter` a `name`,
    `constant` a `type`."""

    input_type: Literal["task_run", "flow_run", "parameter", "constant"]
    id: UUID | None = None
    name: str | None = None
    type: str | None = None


class TaskRunResponse(BaseModel):
    """Durations are float seconds; datetimes are UTC with a `Z`."""

    id: UUID
    created: datetime
    updated: datetime
    name: str
    flow_run_id: UUID | None
    task_key: str
    dynamic_key: str
    cache_key: str | None
    cache_expiration: datetime | None
    task_version: str | None
    empirical_policy: TaskRunPolicyOut
    tags: list[str]
    labels: dict[str, Any] | None
    state_id: UUID | None
    task_inputs: dict[str, list[TaskRunInputOut]]
    state_type: StateType | None
    state_name: str | None
    run_count: int
    flow_run_run_count: int
    expected_start_time: datetime | None
    next_scheduled_start_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    total_run_time: float
    estimated_run_time: float
    estimated_start_time_delta: float
    state: StateOut | None


class TaskRunResponses(RootModel[list[TaskRunResponse]]):
    pass


class TaskRunResultOut(BaseModel):
    input_type: Literal["task_run"]
    id: UUID


class DependencyResultOut(BaseModel):
    id: UUID
    name: str
    upstream_dependencies: list[TaskRunResultOut]
    state: StateOut | None
    expected_start_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    total_run_time: float
    estimated_run_time: float
    untrackable_result: bool


class DependencyResults(RootModel[list[DependencyResultOut]]):
    pass


class GraphEdge(BaseModel):
    id: UUID


class GraphArtifactOut(BaseModel):
    id: UUID
    created: datetime
    key: str | None
    type: str | None
    is_latest: bool
    data: Any


class GraphNodeOut(BaseModel):
    kind: Literal["flow-run", "task-run"]
    id: UUID
    label: str
    state_type: StateType | None
    start_time: datetime
    end_time: datetime | None
    parents: list[GraphEdge]
    children: list[GraphEdge]
    encapsulating: list[GraphEdge]
    artifacts: list[GraphArtifactOut]


class GraphStateOut(BaseModel):
    id: UUID
    timestamp: datetime
    type: StateType
    name: str


class GraphOut(BaseModel):
    """`nodes` is a list of `[node id, node]` pairs, ordered by start then end time."""

    start_time: datetime | None
    end_time: datetime | None
    root_node_ids: list[UUID]
    nodes: list[tuple[UUID, GraphNodeOut]]
    artifacts: list[GraphArtifactOut]
    states: list[GraphStateOut]
