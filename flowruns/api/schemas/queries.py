"""Field bodies of the query routes: filters plus sort, limit and offset/page."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from flowruns.filters.bodies import FlowRunHistoryQuery, FlowRunQuery
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


class BulkDeleteBody(FlowRunQuery):
    """`/flow_runs/bulk_delete`: runs are selected by every filter `/flow_runs/filter` takes.
    Prefect reads only `flow_runs` here and ignores the others, so a body naming one flow
    deleted runs of every flow; here a filter that matches nothing deletes nothing."""

    limit: BulkLimit = 50


class FlowRunHistoryBody(FlowRunHistoryQuery):
    history_start: UTCDateTime
    history_end: UTCDateTime
    history_interval_seconds: Annotated[float, Field(le=MAX_DURATION_SECONDS)]
