"""`WS /api/events/out` (events.md §8.5).

After the handshake and the `filter` message: subscribe to the live stream first, then (unless
`backfill` is false) send every stored event matching the filter since at most 15 minutes ago,
oldest first, page by page; then the live events, skipping any already sent (by id). Live
matching is `events.matching.event_matches` with the same clamped filter, so `occurred` must
fall within `[since, until]`.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.utils import timezone

from events.bus import EVENTS, hub
from events.conf import event_settings
from events.matching import event_matches
from events.schemas import EventFilter, EventOrder
from events.selectors import events_backfill

from .connection import WebSocket
from .db import run_db
from .handshake import accept_prefect_socket
from .streaming import pump, read_filter

RECENT_IDS = 10_000  # ids remembered for de-duplication


class SentIds:
    """The ids sent so far (bounded: the oldest are forgotten first)."""

    def __init__(self, size: int = RECENT_IDS) -> None:
        self.size = size
        self.ids: OrderedDict[str, None] = OrderedDict()

    def add(self, event_id: str) -> bool:
        """Remember the id; False if it was already sent."""
        if event_id in self.ids:
            return False
        self.ids[event_id] = None
        if len(self.ids) > self.size:
            self.ids.popitem(last=False)
        return True


def _scoped(raw: Any) -> EventFilter:
    earliest = timezone.now() - event_settings().maximum_websocket_backfill
    return EventFilter.model_validate(raw or {}).within(since=earliest, order=EventOrder.ASC)


async def events_out(socket: WebSocket) -> None:
    if not await accept_prefect_socket(socket):
        return
    event_filter, message = await read_filter(socket, _scoped)
    subscription = await hub.subscribe(EVENTS, lambda event: event_matches(event_filter, event))
    sent = SentIds()

    async def send(event: dict[str, Any]) -> None:
        if sent.add(str(event["id"])):
            await socket.send_json({"type": "event", "event": event})

    try:
        if message.get("backfill", True) is not False:
            pages = events_backfill(
                event_filter, page_size=event_settings().websocket_backfill_page_size
            )
            while (page := await run_db(next, pages, None)) is not None:
                for event in page:
                    await send(event)
        await pump(socket, subscription, send)
    finally:
        hub.unsubscribe(subscription)
