"""Pages of `/events/filter` and their `next_page` tokens (spec/events.md §8.2-8.3).

A token is signed with Django's signing module (SECRET_KEY, a salt of its own): a client
cannot forge or alter one, and anything that does not verify is "Forbidden". It carries the
filter with `since`/`until` frozen to the absolute values of the first page (so later pages
see the same window), the first page's total, the page size, the offset of the next page and,
except with `distinct`, the `(occurred, id)` of the last event shown (a keyset for the next
query). Tokens do not expire, as Prefect's do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core import signing
from pydantic import BaseModel, ValidationError

from events.schemas import EventFilter
from events.selectors import Key, event_wire, events_count, events_page

SALT = "events.filter.next-page"


class InvalidPageToken(Exception):
    pass


class _TokenBody(BaseModel):
    filter: EventFilter
    total: int
    page_size: int
    offset: int
    after: tuple[datetime, UUID] | None = None


@dataclass(frozen=True)
class EventPage:
    events: list[dict[str, Any]]
    total: int
    next_token: str | None


def _token(
    filter: EventFilter, total: int, page_size: int, offset: int, after: Key | None
) -> str | None:
    """The token of the page starting at `offset`; None when there is none."""
    if offset >= total or page_size <= 0:
        return None
    body = _TokenBody(filter=filter, total=total, page_size=page_size, offset=offset, after=after)
    return signing.dumps(body.model_dump(mode="json"), salt=SALT, compress=True)


def _read_token(token: str) -> _TokenBody:
    try:
        data = signing.loads(token, salt=SALT)
        return _TokenBody.model_validate(data)
    except (signing.BadSignature, ValidationError, ValueError, TypeError) as error:
        raise InvalidPageToken(str(error)) from None


def _page(
    filter: EventFilter, total: int, page_size: int, offset: int, after: Key | None
) -> EventPage:
    rows = events_page(filter, limit=page_size, offset=0 if after else offset, after=after)
    last = None if filter.distinct or not rows else (rows[-1].occurred, rows[-1].id)
    next_token = _token(filter, total, page_size, offset + page_size, last)
    return EventPage([event_wire(row) for row in rows], total, next_token)


def events_first_page(filter: EventFilter, *, limit: int) -> EventPage:
    """The first `limit` matching events, the total and the token of the next page."""
    return _page(filter, events_count(filter), limit, 0, None)


def events_next_page(token: str) -> EventPage:
    """The page a token points at; `InvalidPageToken` when it does not verify."""
    body = _read_token(token)
    return _page(body.filter, body.total, body.page_size, body.offset, body.after)
