"""`task_runs` — TaskRunFilter (spec/api.md §4.4)."""

from __future__ import annotations

from uuid import UUID

from ..types import UTCDateTime
from .base import FilterModel, OperatorFilterModel, StateType


class TaskRunFilterId(FilterModel):
    any_: list[UUID] | None = None


class TaskRunFilterName(FilterModel):
    any_: list[str] | None = None
    like_: str | None = None


class TaskRunFilterTags(OperatorFilterModel):
    all_: list[str] | None = None
    is_null_: bool | None = None


class TaskRunFilterStateType(FilterModel):
    any_: list[StateType] | None = None


class TaskRunFilterStateName(FilterModel):
    any_: list[str] | None = None


class TaskRunFilterState(OperatorFilterModel):
    type: TaskRunFilterStateType | None = None
    name: TaskRunFilterStateName | None = None


class TaskRunFilterStartTime(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None
    is_null_: bool | None = None


class TaskRunFilterEndTime(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None
    is_null_: bool | None = None


class TaskRunFilterExpectedStartTime(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None


class TaskRunFilterSubFlowRuns(FilterModel):
    exists_: bool | None = None


class TaskRunFilterFlowRunId(OperatorFilterModel):
    any_: list[UUID] | None = None
    # Unlike every other `is_null_`, this one defaults to false: a task-run filter that names
    # `flow_run_id` without `any_` keeps only task runs that belong to a flow run. An explicit
    # null switches that off.
    is_null_: bool | None = False


class TaskRunFilter(OperatorFilterModel):
    id: TaskRunFilterId | None = None
    name: TaskRunFilterName | None = None
    tags: TaskRunFilterTags | None = None
    state: TaskRunFilterState | None = None
    start_time: TaskRunFilterStartTime | None = None
    end_time: TaskRunFilterEndTime | None = None
    expected_start_time: TaskRunFilterExpectedStartTime | None = None
    subflow_runs: TaskRunFilterSubFlowRuns | None = None
    flow_run_id: TaskRunFilterFlowRunId | None = None
