"""WorkerFilter (spec/work_pools.md §6.2): an operator filter over `last_heartbeat_time`
(inclusive bounds) and `status`, compiled with the shared criterion functions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import Q

from flowruns.filters import operators as o
from flowruns.filters.schemas.base import FilterModel, OperatorFilterModel

WorkerStatus = Literal["ONLINE", "OFFLINE"]


class WorkerFilterLastHeartbeatTime(FilterModel):
    before_: datetime | None = None
    after_: datetime | None = None


class WorkerFilterStatus(FilterModel):
    any_: list[WorkerStatus] | None = None
    not_any_: list[WorkerStatus] | None = None


class WorkerFilter(OperatorFilterModel):
    last_heartbeat_time: WorkerFilterLastHeartbeatTime | None = None
    status: WorkerFilterStatus | None = None


def _heartbeat(f: WorkerFilterLastHeartbeatTime) -> Q:
    return o.combine(
        [*o.before_("last_heartbeat_time", f.before_), *o.after_("last_heartbeat_time", f.after_)]
    )


def _status(f: WorkerFilterStatus) -> Q:
    return o.combine([*o.any_("status", f.any_), *o.not_any_("status", f.not_any_)])


def worker_criterion(f: WorkerFilter) -> Q:
    criteria = [*o.nested(f.last_heartbeat_time, _heartbeat), *o.nested(f.status, _status)]
    return o.combine(criteria, f.operator)
