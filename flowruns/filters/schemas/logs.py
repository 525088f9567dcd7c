"""`logs` — LogFilter (spec/api.md §7.4)."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from ..types import UTCDateTime
from .base import FilterModel, OperatorFilterModel


class LogFilterLevel(FilterModel):
    ge_: int | None = None
    le_: int | None = None


class LogFilterTimestamp(FilterModel):
    before_: UTCDateTime | None = None
    after_: UTCDateTime | None = None


class LogFilterFlowRunId(FilterModel):
    any_: list[UUID] | None = None


class LogFilterTaskRunId(FilterModel):
    any_: list[UUID] | None = None
    is_null_: bool | None = None


class LogFilterTextSearch(FilterModel):
    """`query` syntax: see `flowruns.filters.textsearch`."""

    query: str = Field(max_length=200)


class LogFilter(OperatorFilterModel):
    level: LogFilterLevel | None = None
    timestamp: LogFilterTimestamp | None = None
    flow_run_id: LogFilterFlowRunId | None = None
    task_run_id: LogFilterTaskRunId | None = None
    text: LogFilterTextSearch | None = None
