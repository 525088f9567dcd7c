from __future__ import annotations

from pydantic import Field

from flowruns.filters.bodies import FlowQuery
from flowruns.filters.sorting import FlowSort


class FlowFilterBody(FlowQuery):
    sort: FlowSort = FlowSort.NAME_ASC
    limit: int | None = None
    offset: int = Field(0, ge=0)
