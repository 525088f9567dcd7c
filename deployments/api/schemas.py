"""Request bodies of the deployment routes (spec/deployments.md §3, §6-§11), validated as
Prefect validates them."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from django.db.models import Q
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from flowruns.api.schemas.bounds import IndexedText, Offset, Page, Tags
from flowruns.api.schemas.flow_runs import check_parameter_size
from flowruns.api.schemas.flows import Labels
from flowruns.api.schemas.policy import FlowRunPolicyIn
from flowruns.api.schemas.states import StateCreate
from flowruns.filters.bodies import FieldBody
from flowruns.filters.schemas import (
    DeploymentFilter,
    FlowFilter,
    FlowRunFilter,
    TaskRunFilter,
    WorkPoolFilter,
    WorkQueueFilter,
)

from ..filters import deployment_filter_q
from ..schedules.shapes import CronSchedule, IntervalSchedule, RRuleSchedule
from ..selectors import DeploymentSort
from ..services.parameters import CircularSchema, RunInputInvalid, schema_error, values_check

Schedule = IntervalSchedule | CronSchedule | RRuleSchedule
MaxScheduledRuns = Annotated[int, Field(gt=0)]
LEGACY_KEYS = ("worker_pool_queue_id", "worker_pool_name", "worker_pool_queue_name",
               "work_pool_queue_name")  # fmt: skip
BOTH_LIMITS = "A deployment cannot have both a concurrency limit and a global concurrency limit."


def _max_runs(value: int | None) -> int | None:
    if value is not None and value > 50:
        raise ValueError("`max_scheduled_runs` must be less than or equal to 50.")
    return value


class ScheduleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: Schedule
    active: bool = True
    max_scheduled_runs: MaxScheduledRuns | None = None
    parameters: dict[str, Any] = {}
    slug: str | None = None
    replaces: str | None = None

    _max = field_validator("max_scheduled_runs")(_max_runs)

    def stored(self) -> dict[str, Any]:
        return {
            "schedule": self.schedule.normalised(),
            "active": self.active,
            "max_scheduled_runs": self.max_scheduled_runs,
            "parameters": self.parameters,
            "slug": self.slug,
        }


class ScheduleUpdate(BaseModel):
    """Only the keys present in a body are written (`model_fields_set`)."""

    model_config = ConfigDict(extra="forbid")

    schedule: Schedule | None = None
    active: bool | None = None
    max_scheduled_runs: MaxScheduledRuns | None = None
    parameters: dict[str, Any] | None = None
    slug: str | None = None
    replaces: str | None = None

    _max = field_validator("max_scheduled_runs")(_max_runs)

    def stored(self) -> dict[str, Any]:
        """The present keys; `schedule` normalised."""
        out = {k: getattr(self, k) for k in self.model_fields_set if k != "replaces"}
        if self.schedule is not None:
            out["schedule"] = self.schedule.normalised()
        return out


class ScheduleCreateArray(RootModel[list[ScheduleCreate]]):
    """The documented body of POST /schedules."""


class ConcurrencyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collision_strategy: Literal["ENQUEUE", "CANCEL_NEW"]
    grace_period_seconds: Annotated[int, Field(ge=60, le=86400)] | None = None


class _DeploymentWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_legacy(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in LEGACY_KEYS}
        return data

    @model_validator(mode="after")
    def _one_limit(self) -> Any:
        if getattr(self, "concurrency_limit", None) and getattr(
            self, "global_concurrency_limit_id", None
        ):
            raise ValueError(BOTH_LIMITS)
        return self

    _check_parameters = field_validator("parameters", check_fields=False)(check_parameter_size)


class VersionInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    version: str


class DeploymentCreate(_DeploymentWrite):
    name: Annotated[IndexedText, Field(pattern=r"^[^/%&><]*$")]
    flow_id: UUID
    paused: bool = False
    schedules: list[ScheduleCreate] = []
    concurrency_limit: Annotated[int, Field(gt=0)] | None = None
    concurrency_options: ConcurrencyOptions | None = None
    global_concurrency_limit_id: UUID | None = None
    enforce_parameter_schema: bool = True
    parameter_openapi_schema: dict[str, Any] | None = None
    parameters: dict[str, Any] = {}
    tags: Tags = []
    labels: Labels | None = {}
    pull_steps: list[dict[str, Any]] | None = None
    work_queue_name: IndexedText | None = None
    work_pool_name: IndexedText | None = None
    storage_document_id: UUID | None = None
    infrastructure_document_id: UUID | None = None
    description: str | None = None
    path: str | None = None
    version: IndexedText | None = None
    entrypoint: str | None = None
    job_variables: dict[str, Any] = {}
    version_info: VersionInfo | None = None

    @model_validator(mode="after")
    def _parameters_fit_schema(self) -> DeploymentCreate:
        """With enforcement on, the schema must be valid and the parameters must fit it
        (`required` ignored: the flow fills defaults)."""
        schema = self.parameter_openapi_schema
        if not self.enforce_parameter_schema or schema is None:
            return self
        problem = schema_error(schema)
        if problem is not None:
            raise ValueError(
                f"The provided schema is not a valid json schema. Schema error: {problem}"
            )
        try:
            values_check(self.parameters, schema, required=False)
        except (RunInputInvalid, CircularSchema) as exc:
            raise ValueError(str(exc) or "Unable to validate schema.") from exc
        return self


class DeploymentUpdate(_DeploymentWrite):
    version: IndexedText | None = None
    description: str | None = None
    paused: bool | None = None
    schedules: list[ScheduleUpdate] | None = None
    concurrency_limit: Annotated[int, Field(gt=0)] | None = None
    concurrency_options: ConcurrencyOptions | None = None
    global_concurrency_limit_id: UUID | None = None
    parameters: dict[str, Any] | None = None
    parameter_openapi_schema: dict[str, Any] | None = None
    tags: Tags | None = None
    work_queue_name: IndexedText | None = None
    work_pool_name: IndexedText | None = None
    path: str | None = None
    job_variables: dict[str, Any] | None = None
    pull_steps: list[dict[str, Any]] | None = None
    entrypoint: str | None = None
    storage_document_id: UUID | None = None
    infrastructure_document_id: UUID | None = None
    enforce_parameter_schema: bool | None = None
    version_info: VersionInfo | None = None


class DeploymentFlowRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: StateCreate | None = None
    name: IndexedText | None = None
    parameters: dict[str, Any] = {}
    enforce_parameter_schema: bool | None = None
    context: dict[str, Any] = {}
    infrastructure_document_id: UUID | None = None
    empirical_policy: FlowRunPolicyIn = FlowRunPolicyIn()
    tags: Tags = []
    idempotency_key: IndexedText | None = None
    labels: Labels | None = None
    parent_task_run_id: UUID | None = None
    work_queue_name: IndexedText | None = None
    job_variables: dict[str, Any] | None = {}

    _check_parameters = field_validator("parameters")(check_parameter_size)


class DeploymentFlowRunCreateList(RootModel[list[DeploymentFlowRunCreate]]):
    """The documented body of create_flow_run/bulk (at most 100)."""


class DeploymentQuery(FieldBody):
    flows: FlowFilter | None = None
    flow_runs: FlowRunFilter | None = None
    task_runs: TaskRunFilter | None = None
    deployments: DeploymentFilter | None = None
    work_pools: WorkPoolFilter | None = None
    work_pool_queues: WorkQueueFilter | None = None

    def q(self) -> Q:
        return deployment_filter_q(
            flows=self.flows,
            flow_runs=self.flow_runs,
            task_runs=self.task_runs,
            deployments=self.deployments,
            work_pools=self.work_pools,
            work_pool_queues=self.work_pool_queues,
        )


class DeploymentFilterBody(DeploymentQuery):
    sort: DeploymentSort = DeploymentSort.NAME_ASC
    limit: int | None = None
    offset: Offset = 0


class DeploymentPaginateBody(DeploymentQuery):
    sort: DeploymentSort = DeploymentSort.NAME_ASC
    limit: int | None = None
    page: Page = 1


class DeploymentBulkDeleteBody(FieldBody):
    deployments: DeploymentFilter | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 50


class ScheduledRunsBody(FieldBody):
    deployment_ids: list[UUID]
    scheduled_before: Any = None
    limit: int | None = None


class ScheduleNowBody(FieldBody):
    start_time: Any = None
    end_time: Any = None
    min_time: float | None = None
    min_runs: int | None = None
    max_runs: int | None = None
