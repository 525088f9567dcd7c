"""Flow runs: the run itself, its lists and pages, history buckets and bulk deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, RootModel

from flowruns.models import StateType

from .base import ORMOut
from .states import StateOut


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


class FlowRunResponse(ORMOut):
    """Durations are float seconds; datetimes are UTC with a `Z`."""

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


class FlowRunResponses(RootModel[list[FlowRunResponse]]):
    pass


class FlowRunList(BaseModel):
    """`GET /api/flow_runs/` (REST): limit/offset pages."""

    count: int
    next: str | None
    previous: str | None
    results: list[FlowRunResponse]


class FlowRunPaginationResponse(BaseModel):
    results: list[FlowRunResponse]
    count: int
    limit: int
    pages: int
    page: int


class BulkDeleteResponse(BaseModel):
    deleted: list[UUID]


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
