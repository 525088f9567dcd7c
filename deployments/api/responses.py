"""The documented answers of the deployment routes (OpenAPI only: the views render with
`render`, keys in Prefect's order)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, RootModel

from flowruns.api.schemas.responses.base import ORMOut


class ScheduleOut(ORMOut):
    deployment_id: UUID
    schedule: dict[str, Any]
    active: bool
    max_scheduled_runs: int | None
    parameters: dict[str, Any]
    slug: str | None


class GlobalLimitOut(ORMOut):
    active: bool
    name: str
    limit: int
    active_slots: int
    slot_decay_per_second: float


class DeploymentOut(ORMOut):
    name: str
    version: str | None
    description: str | None
    flow_id: UUID
    paused: bool
    schedules: list[ScheduleOut]
    concurrency_limit: None
    global_concurrency_limit: GlobalLimitOut | None
    concurrency_options: dict[str, Any] | None
    job_variables: dict[str, Any]
    parameters: dict[str, Any]
    tags: list[str]
    labels: dict[str, Any]
    work_queue_name: str | None
    work_queue_id: UUID | None
    last_polled: str | None
    parameter_openapi_schema: dict[str, Any] | None
    path: str | None
    pull_steps: list[dict[str, Any]] | None
    entrypoint: str | None
    storage_document_id: UUID | None
    infrastructure_document_id: UUID | None
    created_by: dict[str, Any] | None
    updated_by: dict[str, Any] | None
    work_pool_name: str | None
    status: str  # READY or NOT_READY
    enforce_parameter_schema: bool


class DeploymentOutList(RootModel[list[DeploymentOut]]):
    pass


class ScheduleOutList(RootModel[list[ScheduleOut]]):
    pass


class DeploymentPage(BaseModel):
    results: list[DeploymentOut]
    count: int
    limit: int
    pages: int
    page: int


class BulkDeleteOut(BaseModel):
    deleted: list[UUID]


class BulkCreateItem(BaseModel):
    flow_run_id: UUID | None
    status: str  # CREATED or FAILED
    error: str | None


class BulkCreateOut(BaseModel):
    results: list[BulkCreateItem]


class EmptyList(RootModel[list[Any]]):
    pass


class Null(RootModel[None]):
    pass
