"""`flow_runs` — FlowRunFilter (spec/api.md §4.3)."""

from __future__ import annotations

from uuid import UUID

from ..types import UTCDateTime
from .base import FilterModel, OperatorFilterModel, StateType


class FlowRunFilterId(FilterModel):
    any_: list[UUID] | None = None
    not_any_: list[UUID] | None = None


class FlowRunFilterName(FilterModel):
    any_: list[str] | None = None
    like_: str | None = None


class FlowRunFilterTags(OperatorFilterModel):
    all_: list[str] | None = None
    any_: list[str] | None = None
    is_null_: bool | None = None


class FlowRunFilterDeploymentId(OperatorFilterModel):
    any_: list[UUID] | None = None
    is_null_: bool | None = None


class FlowRunFilterWorkQueueName(OperatorFilterModel):
    any_: list[str] | None = None
    is_null_: bool | None = None


class FlowRunFilterStateType(FilterModel):
    any_: list[StateType] | None = None
    not_any_: list[StateType] | None = None


class FlowRunFilterStateName(FilterModel):
    any_: list[str] | None = None
    not_any_: list[str] | None = None


class FlowRunFilterState(OperatorFilterModel):
    type: FlowRunFilterStateType | None = None
    name: FlowRunFilterStateName | None = None


class FlowRunFilterFlowVersion(FilterModel):
    any_: list[str] | None = None


class FlowRunFilterStartTime(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None
    is_null_: bool | None = None


class FlowRunFilterEndTime(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None
    is_null_: bool | None = None


class FlowRunFilterExpectedStartTime(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None


class FlowRunFilterNextScheduledStartTime(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None


class FlowRunFilterParentFlowRunId(OperatorFilterModel):
    any_: list[UUID] | None = None


class FlowRunFilterParentTaskRunId(OperatorFilterModel):
    any_: list[UUID] | None = None
    is_null_: bool | None = None


class FlowRunFilterIdempotencyKey(FilterModel):
    any_: list[str] | None = None
    not_any_: list[str] | None = None


class FlowRunFilterCreatedBy(OperatorFilterModel):
    id_: list[UUID] | None = None
    type_: list[str] | None = None
    is_null_: bool | None = None


class FlowRunFilter(OperatorFilterModel):
    id: FlowRunFilterId | None = None
    name: FlowRunFilterName | None = None
    tags: FlowRunFilterTags | None = None
    deployment_id: FlowRunFilterDeploymentId | None = None
    work_queue_name: FlowRunFilterWorkQueueName | None = None
    state: FlowRunFilterState | None = None
    flow_version: FlowRunFilterFlowVersion | None = None
    start_time: FlowRunFilterStartTime | None = None
    end_time: FlowRunFilterEndTime | None = None
    expected_start_time: FlowRunFilterExpectedStartTime | None = None
    next_scheduled_start_time: FlowRunFilterNextScheduledStartTime | None = None
    parent_flow_run_id: FlowRunFilterParentFlowRunId | None = None
    parent_task_run_id: FlowRunFilterParentTaskRunId | None = None
    idempotency_key: FlowRunFilterIdempotencyKey | None = None
    created_by: FlowRunFilterCreatedBy | None = None
