"""`work_pools` — WorkPoolFilter, and WorkQueueFilter (spec/api.md §4.6, §4.7).

WorkQueueFilter's body key is `work_pool_queues` on the flow-run routes but `work_queues` on
`/flow_runs/history`; the key is chosen by the body models in `flowruns.filters.bodies`.
"""

from __future__ import annotations

from uuid import UUID

from .base import FilterModel, OperatorFilterModel


class WorkPoolFilterId(FilterModel):
    any_: list[UUID] | None = None


class WorkPoolFilterName(FilterModel):
    any_: list[str] | None = None


class WorkPoolFilterType(FilterModel):
    any_: list[str] | None = None


class WorkPoolFilter(OperatorFilterModel):
    id: WorkPoolFilterId | None = None
    name: WorkPoolFilterName | None = None
    type: WorkPoolFilterType | None = None


class WorkQueueFilterId(FilterModel):
    any_: list[UUID] | None = None


class WorkQueueFilterName(FilterModel):
    any_: list[str] | None = None
    startswith_: list[str] | None = None


class WorkQueueFilter(OperatorFilterModel):
    id: WorkQueueFilterId | None = None
    name: WorkQueueFilterName | None = None
