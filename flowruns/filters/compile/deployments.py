"""DeploymentFilter → `Q` over `Deployment` rows (spec/api.md §4.5)."""

from __future__ import annotations

from django.db.models import Q

from .. import operators as o
from ..schemas import (
    DeploymentFilter,
    DeploymentFilterId,
    DeploymentFilterName,
    DeploymentFilterPaused,
    DeploymentFilterTags,
    DeploymentFilterWorkQueueName,
    DeploymentOrFlowNameFilter,
    Operator,
)


def _id(f: DeploymentFilterId) -> Q:
    return o.combine([*o.any_("id", f.any_), *o.not_any_("id", f.not_any_)])


def _name(f: DeploymentFilterName) -> Q:
    return o.combine([*o.any_("name", f.any_), *o.like_("name", f.like_)])


def _flow_or_deployment_name(f: DeploymentOrFlowNameFilter) -> Q:
    """The deployment's name or its flow's name contains `like_`."""
    if f.like_ is None:
        return o.TRUE
    return o.combine(
        [o.combine(o.like_("name", f.like_)), o.combine(o.like_("flow__name", f.like_))],
        Operator.or_,
    )


def _paused(f: DeploymentFilterPaused) -> Q:
    return o.combine(o.eq_("paused", f.eq_))


def _tags(f: DeploymentFilterTags) -> Q:
    criteria = [
        *o.tags_all_("tags", f.all_),
        *o.tags_any_("tags", f.any_),
        *o.tags_is_null_("tags", f.is_null_),
    ]
    return o.combine(criteria, f.operator)


def _work_queue_name(f: DeploymentFilterWorkQueueName) -> Q:
    return o.combine(o.any_("work_queue_name", f.any_))


def deployment_criterion(f: DeploymentFilter) -> Q:
    """`concurrency_limit` is accepted and ignored, as in Prefect (it is deprecated there)."""
    criteria = [
        *o.nested(f.id, _id),
        *o.nested(f.name, _name),
        *o.nested(f.flow_or_deployment_name, _flow_or_deployment_name),
        *o.nested(f.paused, _paused),
        *o.nested(f.tags, _tags),
        *o.nested(f.work_queue_name, _work_queue_name),
    ]
    return o.combine(criteria, f.operator)
