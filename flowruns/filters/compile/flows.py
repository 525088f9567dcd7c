"""FlowFilter → `Q` over `Flow` rows."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from flowruns.models import Deployment

from .. import operators as o
from ..schemas import FlowFilter, FlowFilterDeployment, FlowFilterId, FlowFilterName, FlowFilterTags


def _id(f: FlowFilterId) -> Q:
    return o.combine([*o.any_("id", f.any_), *o.not_any_("id", f.not_any_)])


def _deployment(f: FlowFilterDeployment) -> Q:
    has_deployment = Exists(Deployment.objects.filter(flow_id=OuterRef("pk")))
    criteria = [] if f.is_null_ is None else o.exists_(has_deployment, not f.is_null_)
    return o.combine(criteria, f.operator)


def _name(f: FlowFilterName) -> Q:
    return o.combine([*o.any_("name", f.any_), *o.like_("name", f.like_)])


def _tags(f: FlowFilterTags) -> Q:
    criteria = [*o.tags_all_("tags", f.all_), *o.tags_is_null_("tags", f.is_null_)]
    return o.combine(criteria, f.operator)


def flow_criterion(f: FlowFilter) -> Q:
    criteria = [
        *o.nested(f.id, _id),
        *o.nested(f.deployment, _deployment),
        *o.nested(f.name, _name),
        *o.nested(f.tags, _tags),
    ]
    return o.combine(criteria, f.operator)
