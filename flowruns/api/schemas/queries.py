"""Field bodies of the query routes: filters plus sort, limit and offset/page."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flowruns.filters.bodies import FieldBody, FlowRunHistoryQuery, FlowRunQuery
from flowruns.filters.schemas import FlowRunFilter
from flowruns.filters.sorting import FlowRunSort
from flowruns.filters.types import UTCDateTime

from .bounds import MAX_DURATION_SECONDS, Offset, Page

# `limit` of bulk_delete and bulk_set_state: default and maximum 50 (BULK_OPERATION_LIMIT).
BulkLimit = Annotated[int, Field(ge=1, le=50)]


class FlowRunFilterBody(FlowRunQuery):
    sort: FlowRunSort = FlowRunSort.ID_DESC
    limit: int | None = None
    offset: Offset = 0


class FlowRunPaginateBody(FlowRunQuery):
    sort: FlowRunSort = FlowRunSort.ID_DESC
    limit: int | None = None
    page: Page = 1


class BulkDeleteBody(FieldBody):
    """`/flow_runs/bulk_delete`: runs are selected by `flow_runs` alone (spec/api.md §6.12)."""

    flow_runs: FlowRunFilter | None = None
    limit: BulkLimit = 50


class FlowRunHistoryBody(FlowRunHistoryQuery):
    history_start: UTCDateTime
    history_end: UTCDateTime
    history_interval_seconds: Annotated[float, Field(le=MAX_DURATION_SECONDS)]
