"""`event_matches(filter, event)`: the EventFilter applied to one ReceivedEvent JSON dict, in
memory, for live delivery on `/events/out` (spec/events.md §8.5 item 6).

Same semantics as the SQL of `events.sql` (the tests run both over the same fixtures),
including `occurred` within `[since, until]` and `related`, which Prefect's matcher ignores.
`resource.distinct` is a property of a result set, not of one event: it is ignored here.

Text search reads the same text the SQL does (name, then the JSON of resource, related and
payload, lower-cased). A term spanning two JSON keys may differ on PostgreSQL, whose `jsonb`
text orders keys by length (SQLite keeps the text as stored, which is what this reads).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from events.patterns import matches
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

Row = tuple[str, str, dict[str, str]]  # (resource id, role, the other labels)


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _labels_match(labels: dict[str, str | list[str]], get: Any) -> bool:
    return all(
        any(matches(pattern, get(label)) for pattern in patterns)
        for label, patterns in label_patterns(labels)
    )


def _name_matches(names: EventNameFilter, name: str) -> bool:
    if names.prefix and not any(name.startswith(p) for p in names.prefix):
        return False
    if names.exclude_prefix and any(name.startswith(p) for p in names.exclude_prefix):
        return False
    if names.name and name not in names.name:
        return False
    return not (names.exclude_name and name in names.exclude_name)


def _resource_matches(criteria: EventResourceFilter, resource: dict[str, str]) -> bool:
    resource_id = resource.get(RESOURCE_ID, "")
    if criteria.id and resource_id not in criteria.id:
        return False
    if criteria.id_prefix and not any(resource_id.startswith(p) for p in criteria.id_prefix):
        return False
    return _labels_match(criteria.labels or {}, resource.get)


def _rows(event: dict[str, Any]) -> Iterator[Row]:
    """The event's `event_resources` rows: the primary (role "") then each related one."""
    for index, resource in enumerate([event["resource"], *event.get("related", [])]):
        others = {k: v for k, v in resource.items() if k not in (RESOURCE_ID, RESOURCE_ROLE)}
        role = "" if index == 0 else resource.get(RESOURCE_ROLE, "")
        yield resource.get(RESOURCE_ID, ""), role, others


def _row_labels_match(labels: dict[str, str | list[str]], row: Row) -> bool:
    resource_id, role, others = row
    for label, patterns in label_patterns(labels):
        if label == RESOURCE_ID:
            ok = any(matches(p, resource_id) for p in patterns)
        elif label == RESOURCE_ROLE:
            ok = role in patterns
        else:
            ok = any(matches(p, others.get(label)) for p in patterns)
        if not ok:
            return False
    return True


def _related_row_matches(criteria: EventRelatedFilter, row: Row) -> bool:
    resource_id, role, _ = row
    if role == "":
        return False
    if criteria.id and resource_id not in criteria.id:
        return False
    if criteria.role and role not in criteria.role:
        return False
    if criteria.resources_in_roles and (resource_id, role) not in criteria.resources_in_roles:
        return False
    return _row_labels_match(criteria.labels or {}, row)


def _any_row_matches(criteria: EventAnyResourceFilter, row: Row) -> bool:
    resource_id = row[0]
    if criteria.id and resource_id not in criteria.id:
        return False
    if criteria.id_prefix and not any(resource_id.startswith(p) for p in criteria.id_prefix):
        return False
    return _row_labels_match(criteria.labels or {}, row)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def search_text(event: dict[str, Any]) -> str:
    parts = [event["event"], *(_dumps(event.get(k)) for k in ("resource", "related", "payload"))]
    return " ".join(parts).lower()


def _text_matches(query: str, event: dict[str, Any]) -> bool:
    if not query.strip():
        return True
    terms = parse_search_query(query)
    text = search_text(event)
    if terms.include and not any(term.lower() in text for term in terms.include):
        return False
    if any(term.lower() in text for term in terms.exclude):
        return False
    return all(term.lower() in text for term in terms.required)


def event_matches(filter: EventFilter, event: dict[str, Any]) -> bool:
    """Does the ReceivedEvent (its wire JSON dict) match the filter?"""
    occurred = _parse_datetime(event["occurred"])
    if not filter.occurred.since <= occurred <= filter.occurred.until:
        return False
    if filter.event is not None and not _name_matches(filter.event, event["event"]):
        return False
    if filter.resource is not None and not _resource_matches(filter.resource, event["resource"]):
        return False
    rows = list(_rows(event))
    for related in filter.related_filters:
        if not any(_related_row_matches(related, row) for row in rows):
            return False
    for any_resource in filter.any_resource_filters:
        if not any(_any_row_matches(any_resource, row) for row in rows):
            return False
    if filter.id.id and str(event["id"]) not in {str(i) for i in filter.id.id}:
        return False
    return filter.text is None or _text_matches(filter.text.query, event)
