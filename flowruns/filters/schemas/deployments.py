"""`deployments` — DeploymentFilter (spec/api.md §4.5)."""

from __future__ import annotations

from uuid import UUID

from .base import FilterModel, OperatorFilterModel


class DeploymentFilterId(FilterModel):
    any_: list[UUID] | None = None
    not_any_: list[UUID] | None = None


class DeploymentFilterName(FilterModel):
    any_: list[str] | None = None
    like_: str | None = None


class DeploymentOrFlowNameFilter(FilterModel):
    like_: str | None = None


class DeploymentFilterPaused(FilterModel):
    eq_: bool | None = None


class DeploymentFilterTags(OperatorFilterModel):
    all_: list[str] | None = None
    any_: list[str] | None = None
    is_null_: bool | None = None


class DeploymentFilterWorkQueueName(FilterModel):
    any_: list[str] | None = None


class DeploymentFilterConcurrencyLimit(FilterModel):
    """Deprecated in Prefect: validated, then ignored."""

    ge_: int | None = None
    le_: int | None = None
    is_null_: bool | None = None


class DeploymentFilter(OperatorFilterModel):
    id: DeploymentFilterId | None = None
    name: DeploymentFilterName | None = None
    flow_or_deployment_name: DeploymentOrFlowNameFilter | None = None
    paused: DeploymentFilterPaused | None = None
    tags: DeploymentFilterTags | None = None
    work_queue_name: DeploymentFilterWorkQueueName | None = None
    concurrency_limit: DeploymentFilterConcurrencyLimit | None = None
