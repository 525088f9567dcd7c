"""Reading events: filtered pages (`/events/filter`), totals, and the backfill of
`/events/out`. Every read orders by `(occurred, id)`, so equal timestamps page stably.

Pages after the first are keyset reads (`(occurred, id)` after the last one shown), so a deep
page costs what the first does. With `resource.distinct` (one event per resource, the first
in the requested order) pages are by offset, as in Prefect.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from events.conf import event_settings
from events.models import Event
from events.schemas import EventFilter, EventOrder, received_event_wire
from events.sql import event_filter_q

Key = tuple[datetime, UUID]


def _ordering(order: EventOrder) -> list[Any]:
    if order == EventOrder.ASC:
        return [F("occurred").asc(), F("id").asc()]
    return [F("occurred").desc(), F("id").desc()]


def after_key_q(key: Key, order: EventOrder) -> Q:
    """Rows strictly after `key` in `order`; the redundant bound is the index range start."""
    occurred, event_id = key
    if order == EventOrder.ASC:
        return Q(occurred__gte=occurred) & (
            Q(occurred__gt=occurred) | Q(occurred=occurred, id__gt=event_id)
        )
    return Q(occurred__lte=occurred) & (
        Q(occurred__lt=occurred) | Q(occurred=occurred, id__lt=event_id)
    )


def _matching(filter: EventFilter) -> QuerySet[Event]:
    return Event.objects.filter(event_filter_q(filter))


def event_wire(event: Event) -> dict[str, Any]:
    return received_event_wire(
        occurred=event.occurred,
        event=event.event,
        resource=event.resource,
        related=event.related,
        payload=event.payload,
        id=event.id,
        follows=event.follows,
        received=event.received,
    )


def events_count(filter: EventFilter) -> int:
    """How many events match (with `distinct`: how many resources)."""
    matching = _matching(filter).order_by()
    if filter.distinct:
        return int(matching.aggregate(n=Count("resource_id", distinct=True))["n"] or 0)
    return matching.count()


def events_page(
    filter: EventFilter, *, limit: int, offset: int = 0, after: Key | None = None
) -> list[Event]:
    """Up to `limit` events in the filter's order, after `offset` rows, or after the key
    `after` (not with `distinct`)."""
    if limit <= 0:
        return []
    ordering = _ordering(filter.order)
    if filter.distinct:
        first_of_resource = Window(RowNumber(), partition_by=[F("resource_id")], order_by=ordering)
        firsts = _matching(filter).annotate(rank=first_of_resource).filter(rank=1)
        return list(firsts.order_by(*ordering)[offset : offset + limit])
    rows = _matching(filter)
    if after is not None:
        rows = rows.filter(after_key_q(after, filter.order))
    return list(rows.order_by(*ordering)[offset : offset + limit])


def events_backfill(filter: EventFilter, *, page_size: int = 250) -> Iterator[list[dict[str, Any]]]:
    """Every stored event matching the filter for a new `/events/out` subscriber, oldest
    first, `page_size` per query (spec/events.md §8.5 items 3-4).

    `occurred.since` is raised to at least now - PREFECT_SERVER_EVENTS_MAXIMUM_WEBSOCKET_BACKFILL
    and the order forced to ascending. Each page is its own query (no transaction or cursor
    stays open between pages), so the caller may send a page before asking for the next.
    """
    earliest = timezone.now() - event_settings().maximum_websocket_backfill
    scoped = filter.within(since=earliest, order=EventOrder.ASC)
    after: Key | None = None
    offset = 0
    while True:
        if scoped.distinct:
            page = events_page(scoped, limit=page_size, offset=offset)
            offset += len(page)
        else:
            page = events_page(scoped, limit=page_size, after=after)
        if page:
            after = (page[-1].occurred, page[-1].id)
            yield [event_wire(event) for event in page]
        if len(page) < page_size:
            return
