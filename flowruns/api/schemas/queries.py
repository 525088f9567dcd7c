"""Field bodies of the query routes: filters plus sort, limit and offset/page."""

from __future__ import annotations

from pydantic import Field

from flowruns.filters.bodies import FlowRunHistoryQuery, FlowRunQuery
from flowruns.filters.schemas import FlowRunFilter
from flowruns.filters.sorting import FlowRunSort
from flowruns.filters.types import UTCDateTime

from .states import StateCreate


class FlowRunFilterBody(FlowRunQuery):
    sort: FlowRunSort = FlowRunSort.ID_DESC
    limit: int | None = None
    offset: int = Field(0, ge=0)


class FlowRunPaginateBody(FlowRunQuery):
    sort: FlowRunSort = FlowRunSort.ID_DESC
    limit: int | None = None
    page: int = Field(1, ge=1)


class SetStateBody(FlowRunQuery):
    state: StateCreate
    force: bool = False


class BulkSetStateBody(FlowRunQuery):
    flow_runs: FlowRunFilter | None = None
    state: StateCreate
    force: bool = False
    limit: int = Field(50, ge=1, le=50)


class BulkDeleteBody(FlowRunQuery):
    flow_runs: FlowRunFilter | None = None
    limit: int = Field(50, ge=1, le=50)


class FlowRunHistoryBody(FlowRunHistoryQuery):
    history_start: UTCDateTime
    history_end: UTCDateTime
    history_interval_seconds: float
