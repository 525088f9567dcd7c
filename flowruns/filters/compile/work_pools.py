"""WorkPoolFilter → `Q` over `WorkPool`; WorkQueueFilter → `Q` over `WorkQueue`."""

from __future__ import annotations

from django.db.models import Q

from .. import operators as o
from ..schemas import (
    WorkPoolFilter,
    WorkPoolFilterId,
    WorkPoolFilterName,
    WorkPoolFilterType,
    WorkQueueFilter,
    WorkQueueFilterId,
    WorkQueueFilterName,
)


def _pool_id(f: WorkPoolFilterId) -> Q:
    return o.combine(o.any_("id", f.any_))


def _pool_name(f: WorkPoolFilterName) -> Q:
    return o.combine(o.any_("name", f.any_))


def _pool_type(f: WorkPoolFilterType) -> Q:
    return o.combine(o.any_("type", f.any_))


def work_pool_criterion(f: WorkPoolFilter) -> Q:
    criteria = [
        *o.nested(f.id, _pool_id),
        *o.nested(f.name, _pool_name),
        *o.nested(f.type, _pool_type),
    ]
    return o.combine(criteria, f.operator)


def _queue_id(f: WorkQueueFilterId) -> Q:
    return o.combine(o.any_("id", f.any_))


def _queue_name(f: WorkQueueFilterName) -> Q:
    """`any_` exact; `startswith_` is an OR of case-insensitive prefixes."""
    return o.combine([*o.any_("name", f.any_), *o.startswith_("name", f.startswith_)])


def work_queue_criterion(f: WorkQueueFilter) -> Q:
    criteria = [*o.nested(f.id, _queue_id), *o.nested(f.name, _queue_name)]
    return o.combine(criteria, f.operator)
