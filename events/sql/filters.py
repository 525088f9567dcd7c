"""`event_filter_q(filter)`: the WHERE clause of an EventFilter over `events`.

* name, primary-resource and id criteria are columns (or JSON labels) of `events` itself;
* `related` and `any_resource` criteria are EXISTS subqueries over `event_resources`, each
  restricted to the filter's `occurred` window (so PostgreSQL prunes to the same daily
  partitions) and correlated on `(event_id, occurred)`; with an id criterion the planner can
  drive it from the `(resource_id, occurred)` index, as Prefect's query does;
* every object of a `related` or `any_resource` list is its own EXISTS (they are ANDed), and
  all criteria of one object must hold for the same resource row.

`events.matching` implements the same semantics in memory.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform

from events.models import EventResource
from events.schemas import (
    EventAnyResourceFilter,
    EventFilter,
    EventNameFilter,
    EventRelatedFilter,
    EventResourceFilter,
    label_patterns,
)
from events.schemas.event import RESOURCE_ID, RESOURCE_ROLE
from flowruns.filters.textsearch import parse_search_query

from .expressions import ContainsText, Matches, SearchText, StartsWith

NOTHING = Q(pk__in=[])


def _any(conditions: list[Q]) -> Q:
    """OR of the conditions; no conditions match nothing."""
    if not conditions:
        return NOTHING
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _patterns_q(column: Any, patterns: list[str]) -> Q:
    return _any([Q(Matches(column, pattern)) for pattern in patterns])


def _name_q(names: EventNameFilter) -> Q:
    q = Q()
    if names.prefix:
        q &= _any([Q(StartsWith("event", prefix)) for prefix in names.prefix])
    for prefix in names.exclude_prefix or ():
        q &= ~Q(StartsWith("event", prefix))
    if names.name:
        q &= Q(event__in=names.name)
    if names.exclude_name:
        q &= ~Q(event__in=names.exclude_name)
    return q


def _resource_q(resource: EventResourceFilter) -> Q:
    """The primary resource: `resource_id` and the labels of `events.resource`."""
    q = Q()
    if resource.id:
        q &= Q(resource_id__in=resource.id)
    if resource.id_prefix:
        q &= _any([Q(StartsWith("resource_id", prefix)) for prefix in resource.id_prefix])
    for label, patterns in label_patterns(resource.labels or {}):
        column = "resource_id" if label == RESOURCE_ID else KeyTextTransform(label, "resource")
        q &= _patterns_q(column, patterns)
    return q


def _resource_row_labels_q(labels: dict[str, str | list[str]]) -> Q:
    """Labels of one `event_resources` row: id and role are columns there (the role is
    matched exactly, without wildcards), the rest are keys of its `resource` JSON."""
    q = Q()
    for label, patterns in label_patterns(labels):
        if label == RESOURCE_ID:
            q &= _patterns_q("resource_id", patterns)
        elif label == RESOURCE_ROLE:
            q &= Q(resource_role__in=patterns) if patterns else NOTHING
        else:
            q &= _patterns_q(KeyTextTransform(label, "resource"), patterns)
    return q


def _related_row_q(related: EventRelatedFilter) -> Q:
    q = ~Q(resource_role="")
    if related.id:
        q &= Q(resource_id__in=related.id)
    if related.role:
        q &= Q(resource_role__in=related.role)
    if related.resources_in_roles:
        q &= _any(
            [Q(resource_id=rid, resource_role=role) for rid, role in related.resources_in_roles]
        )
    return q & _resource_row_labels_q(related.labels or {})


def _any_resource_row_q(any_resource: EventAnyResourceFilter) -> Q:
    q = Q()
    if any_resource.id:
        q &= Q(resource_id__in=any_resource.id)
    if any_resource.id_prefix:
        q &= _any([Q(StartsWith("resource_id", p)) for p in any_resource.id_prefix])
    return q & _resource_row_labels_q(any_resource.labels or {})


def _involves(filter: EventFilter, row_q: Q) -> Exists:
    """Some `event_resources` row of the event, inside the occurred window, satisfies row_q."""
    rows = EventResource.objects.filter(
        row_q,
        occurred__gte=filter.occurred.since,
        occurred__lte=filter.occurred.until,
        event_id=OuterRef("id"),
        occurred=OuterRef("occurred"),
    )
    return Exists(rows)


def _text_q(query: str) -> Q:
    if not query.strip():
        return Q()
    terms = parse_search_query(query)
    text = SearchText()
    q = Q()
    if terms.include:
        q &= _any([Q(ContainsText(text, term.lower())) for term in terms.include])
    for term in terms.exclude:
        q &= ~Q(ContainsText(text, term.lower()))
    for term in terms.required:
        q &= Q(ContainsText(text, term.lower()))
    return q


def event_filter_q(filter: EventFilter) -> Q:
    q = Q(occurred__gte=filter.occurred.since, occurred__lte=filter.occurred.until)
    if filter.event is not None:
        q &= _name_q(filter.event)
    if filter.resource is not None:
        q &= _resource_q(filter.resource)
    for related in filter.related_filters:
        q &= Q(_involves(filter, _related_row_q(related)))
    for any_resource in filter.any_resource_filters:
        q &= Q(_involves(filter, _any_resource_row_q(any_resource)))
    if filter.id.id:
        q &= Q(id__in=filter.id.id)
    if filter.text is not None:
        q &= _text_q(filter.text.query)
    return q
