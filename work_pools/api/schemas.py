"""Request bodies of the work-pool routes, validated as Prefect validates them, and the
response models of the OpenAPI document (spec/work_pools.md §2-§8)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from django.db.models import Q
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from flowruns.api.schemas.bounds import MAX_INTEGER, Offset, Page
from flowruns.filters.bodies import FieldBody
from flowruns.filters.compile import work_pool_criterion, work_queue_criterion
from flowruns.filters.schemas import WorkPoolFilter, WorkQueueFilter

from ..filters import WorkerFilter, worker_criterion
from ..rules import NAME_PATTERN, check_pool_name, check_template_structure

PoolName = Annotated[str, Field(pattern=NAME_PATTERN), AfterValidator(check_pool_name)]
QueueName = Annotated[str, Field(pattern=NAME_PATTERN)]
Limit = Annotated[int, Field(ge=0, le=MAX_INTEGER)]
Priority = Annotated[int, Field(ge=1, le=MAX_INTEGER)]
Template = Annotated[dict[str, Any], AfterValidator(check_template_structure)]


class StorageConfiguration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bundle_upload_step: dict[str, Any] | None = None
    bundle_execution_step: dict[str, Any] | None = None
    default_result_storage_block_id: UUID | None = None


class QueueFilterLegacy(BaseModel):
    """A queue's deprecated `filter`: stored as sent."""

    tags: list[str] | None = None
    deployment_ids: list[UUID] | None = None


class _Changes(BaseModel):
    """An update body: only the keys sent are written; a null means "leave it" except for
    the keys in `NULLABLE`."""

    model_config = ConfigDict(extra="forbid")
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(mode="json", include=self.model_fields_set)
        typed = self.model_dump(include=self.model_fields_set)
        out = {k: typed[k] if k == "last_polled" else v for k, v in given.items()}
        return {k: v for k, v in out.items() if v is not None or k in self.NULLABLE}


class WorkPoolCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PoolName
    description: str | None = None
    type: str = "prefect-agent"
    base_job_template: Template = {}
    is_paused: bool = False
    concurrency_limit: Limit | None = None
    storage_configuration: StorageConfiguration = StorageConfiguration()


class WorkPoolUpdate(_Changes):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"description", "concurrency_limit"})

    description: str | None = None
    is_paused: bool | None = None
    base_job_template: Template | None = None
    concurrency_limit: Limit | None = None
    storage_configuration: StorageConfiguration | None = None


class WorkQueueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: QueueName
    description: str | None = ""
    is_paused: bool = False
    concurrency_limit: Limit | None = None
    priority: Priority | None = None
    filter: QueueFilterLegacy | None = None


class WorkQueueUpdate(_Changes):
    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {"description", "concurrency_limit", "last_polled", "filter"}
    )

    name: QueueName | None = None
    description: str | None = None
    is_paused: bool | None = None
    concurrency_limit: Limit | None = None
    priority: Priority | None = None
    last_polled: datetime | None = None
    filter: QueueFilterLegacy | None = None


class WorkPoolQuery(FieldBody):
    work_pools: WorkPoolFilter | None = None

    def q(self) -> Q:
        return Q() if self.work_pools is None else work_pool_criterion(self.work_pools)


class WorkPoolFilterBody(WorkPoolQuery):
    limit: int | None = None
    offset: Offset = 0


class WorkQueueFilterBody(FieldBody):
    work_queues: WorkQueueFilter | None = None
    limit: int | None = None
    offset: Offset = 0

    def q(self) -> Q:
        return Q() if self.work_queues is None else work_queue_criterion(self.work_queues)


class WorkerFilterBody(FieldBody):
    workers: WorkerFilter | None = None
    limit: int | None = None
    offset: Offset = 0

    def q(self) -> Q:
        return Q() if self.workers is None else worker_criterion(self.workers)


class HeartbeatBody(FieldBody):
    name: str
    heartbeat_interval_seconds: int | None = None


class ScheduledRunsBody(FieldBody):
    work_queue_names: list[str] | None = None
    scheduled_before: datetime | None = None
    scheduled_after: datetime | None = None
    limit: int | None = None


class QueueRunsBody(FieldBody):
    limit: int | None = None
    scheduled_before: datetime | None = None


class PoolConcurrencyStatusBody(FieldBody):
    page: Page = 1
    limit: Annotated[int, Field(ge=1, le=200)] = 200
    flow_run_limit: Annotated[int, Field(ge=0, le=200)] = 10


class QueueConcurrencyStatusBody(FieldBody):
    page: Page = 1
    limit: Annotated[int, Field(ge=1, le=200)] = 200


# Responses (documentation only: `render` builds the bodies).


class WorkPoolOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    name: str
    description: str | None
    type: str
    base_job_template: dict[str, Any]
    is_paused: bool
    concurrency_limit: int | None
    status: str | None
    default_queue_id: UUID | None
    storage_configuration: StorageConfiguration
    active_slots: int | None


class WorkQueueOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    name: str
    description: str
    is_paused: bool
    concurrency_limit: int | None
    priority: int
    work_pool_id: UUID
    filter: QueueFilterLegacy | None
    last_polled: datetime | None
    work_pool_name: str
    status: str
    active_slots: int | None


class WorkerOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    name: str
    work_pool_id: UUID
    last_heartbeat_time: datetime
    heartbeat_interval_seconds: int | None
    status: str


class WorkerFlowRunOut(BaseModel):
    work_pool_id: UUID
    work_queue_id: UUID
    flow_run: dict[str, Any]


class HealthCheckPolicy(BaseModel):
    maximum_late_runs: int
    maximum_seconds_since_last_polled: int


class WorkQueueStatusOut(BaseModel):
    healthy: bool
    late_runs_count: int
    last_polled: datetime | None
    health_check_policy: HealthCheckPolicy


class SlotHolderOut(BaseModel):
    id: UUID
    name: str
    state_type: str
    state_name: str
    start_time: datetime | None
    state_timestamp: datetime | None
    time_in_current_state: float | None


class QueueConcurrencyOut(BaseModel):
    queue_id: UUID
    queue_name: str
    active_slots: int
    concurrency_limit: int | None
    flow_runs: list[SlotHolderOut]
    flow_run_count: int


class PoolConcurrencyStatusOut(BaseModel):
    active_slots: int
    concurrency_limit: int | None
    queues: list[QueueConcurrencyOut]
    count: int
    limit: int
    pages: int
    page: int


class QueueConcurrencyStatusOut(BaseModel):
    active_slots: int
    concurrency_limit: int | None
    flow_runs: list[SlotHolderOut]
    count: int
    limit: int
    pages: int
    page: int


class WorkPoolOutList(RootModel[list[WorkPoolOut]]):
    pass


class WorkQueueOutList(RootModel[list[WorkQueueOut]]):
    pass


class WorkerOutList(RootModel[list[WorkerOut]]):
    pass


class WorkerFlowRunOutList(RootModel[list[WorkerFlowRunOut]]):
    pass
