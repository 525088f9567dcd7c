from __future__ import annotations

from flowruns.filters.bodies import FlowQuery
from flowruns.filters.sorting import FlowSort

from .bounds import Offset


class FlowFilterBody(FlowQuery):
    sort: FlowSort = FlowSort.NAME_ASC
    limit: int | None = None
    offset: Offset = 0
