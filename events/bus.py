"""The live event bus: newly stored events, after their transaction committed.

`publish_events` is the one entry point (`events_ingest` calls it on commit). This
implementation is in-process only: a subscriber sees the events stored by its own process.
The websocket transport replaces the internals with a cross-process fan-out (PostgreSQL
LISTEN/NOTIFY); the signature stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Subscriber = Callable[[list[dict[str, Any]]], None]
_subscribers: list[Subscriber] = []


def subscribe(callback: Subscriber) -> Callable[[], None]:
    """Call `callback(events)` for every published batch; returns the unsubscribe function."""
    _subscribers.append(callback)

    def unsubscribe() -> None:
        if callback in _subscribers:
            _subscribers.remove(callback)

    return unsubscribe


def publish_events(events: list[dict[str, Any]]) -> None:
    """Hand ReceivedEvent JSON dicts (spec/events.md §2.2) to every subscriber. A failing
    subscriber is logged and does not stop the others."""
    if not events:
        return
    for callback in list(_subscribers):
        try:
            callback(events)
        except Exception:
            logger.exception("Event subscriber %r failed", callback)
