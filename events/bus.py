"""Live fan-out of events and logs to websocket subscribers, across processes and machines.

Publishing (synchronous, from Django code, after commit):

* `publish_events(events)`: wire-form `ReceivedEvent` dicts (what `/api/events/filter`
  returns), called by ingestion once the events are committed. Only newly stored events should
  be published; subscribers also dedupe by id.
* `publish_logs(logs)`: wire-form logs (what `POST /api/logs/filter` returns).

Both defer to `transaction.on_commit` when called inside a transaction, never raise (a failed
publish is logged: the data is stored, only the live stream misses it), and do nothing when
PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED is off (`events.conf`; it gates the log stream too).
`subscribe(callback)` registers a synchronous in-process observer of published batches
(called in the publishing thread, after commit), for tests and local hooks.

Transport:

* **PostgreSQL**: `pg_notify` on the channels `prefect_events` / `prefect_logs`, so every
  server process on every machine sharing the database sees every item. NOTIFY payloads must be
  under 8000 bytes: items are packed into JSON arrays of up to `PAYLOAD_BYTES`, and an item
  larger than that is split into chunks (`~key:i:n:<slice of its JSON>`) that listeners
  reassemble. The chunks of one item are sent by one statement, i.e. one transaction, and
  PostgreSQL delivers a transaction's notifications together and in order, so no lookup of
  the stored row is needed. Each ASGI worker runs one listener connection
  (`events.bus_listener`) that dispatches to its in-process subscribers.
* **SQLite**: delivered in-process only, so live streams need a single server process.

Subscribers (async, on the worker's event loop) get a `Subscription`: a bounded queue of 256
items (Prefect's size; when it is full new items are dropped for that subscriber) filled only
with items their predicate accepts. If the listener connection is lost, every subscription is
interrupted (`next()` raises `StreamInterrupted`) so the socket closes and the client
reconnects and backfills: nothing is silently missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connection, transaction

from events.conf import event_settings
from flowruns.api.wire.encoding import jsonable

logger = logging.getLogger(__name__)

EVENTS = "prefect_events"
LOGS = "prefect_logs"
CHANNELS = (EVENTS, LOGS)
BUFFER_SIZE = 256
PAYLOAD_BYTES = 7800  # PostgreSQL refuses payloads of 8000 bytes or more
CHUNK_PREFIX = "~"

Item = dict[str, Any]


class StreamInterrupted(Exception):
    """The live stream lost items (listener reconnected), or is not connected: the subscriber
    should reconnect."""


def encode_payloads(items: Iterable[Item], limit: int = PAYLOAD_BYTES) -> Iterator[str]:
    """NOTIFY payloads (each at most `limit` UTF-8 bytes) carrying `items` in order."""
    batch: list[str] = []
    size = 2  # the brackets
    for item in items:
        text = json.dumps(item, default=jsonable, ensure_ascii=False, separators=(",", ":"))
        length = len(text.encode())
        if batch and size + length + 1 > limit:
            yield "[" + ",".join(batch) + "]"
            batch, size = [], 2
        if length + 2 > limit:
            yield from _chunks(text, limit)
            continue
        batch.append(text)
        size += length + 1
    if batch:
        yield "[" + ",".join(batch) + "]"


def _chunks(text: str, limit: int) -> Iterator[str]:
    data = text.encode()
    key = uuid.uuid4().hex[:16]
    room = limit - 64  # header: ~key:i:n:
    pieces: list[bytes] = []
    start = 0
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never cut a UTF-8 sequence
        pieces.append(data[start:end])
        start = end
    for index, piece in enumerate(pieces):
        yield f"{CHUNK_PREFIX}{key}:{index}:{len(pieces)}:{piece.decode()}"


class Reassembler:
    """Turns a channel's payloads back into items; partial chunk sets are kept per key."""

    def __init__(self) -> None:
        self.partial: dict[str, list[str | None]] = {}

    def feed(self, payload: str) -> list[Item]:
        if not payload.startswith(CHUNK_PREFIX):
            return list(json.loads(payload))
        key, index, count, piece = payload[1:].split(":", 3)
        parts = self.partial.setdefault(key, [None] * int(count))
        parts[int(index)] = piece
        if any(part is None for part in parts):
            if len(self.partial) > 64:  # a publisher died mid-item: forget the oldest
                self.partial.pop(next(iter(self.partial)))
            return []
        del self.partial[key]
        return [json.loads("".join(part for part in parts if part is not None))]


@dataclass(eq=False)
class Subscription:
    channel: str
    matches: Callable[[Item], bool]
    queue: asyncio.Queue[Item | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=BUFFER_SIZE)
    )
    dropped: int = 0

    def offer(self, item: Item) -> None:
        try:
            accepted = self.matches(item)
        except Exception:
            logger.exception("live filter failed on %s", item.get("id"))
            return
        if not accepted:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1

    def interrupt(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def next(self) -> Item:
        item = await self.queue.get()
        if item is None:
            raise StreamInterrupted
        return item


class Hub:
    """This process's subscribers, and the hand-off from publishers and the listener."""

    def __init__(self) -> None:
        self.subscribers: dict[str, set[Subscription]] = {channel: set() for channel in CHANNELS}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ready = asyncio.Event()  # the listener is LISTENing (always set without one)
        self.listening = False  # a PostgreSQL listener runs in this process

    async def subscribe(
        self, channel: str, matches: Callable[[Item], bool], timeout: float = 10.0
    ) -> Subscription:
        self.loop = asyncio.get_running_loop()
        if self.listening:
            try:
                await asyncio.wait_for(self.ready.wait(), timeout)
            except TimeoutError:  # the listener cannot reach the database
                raise StreamInterrupted("the live stream is not connected") from None
        subscription = Subscription(channel, matches)
        self.subscribers[channel].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscribers[subscription.channel].discard(subscription)
        if subscription.dropped:
            logger.warning(
                "a %s subscriber missed %d items (its buffer of %d was full)",
                subscription.channel,
                subscription.dropped,
                BUFFER_SIZE,
            )

    def dispatch(self, channel: str, items: list[Item]) -> None:
        """On the event loop: offer each item to each subscriber of the channel."""
        for item in items:
            for subscription in tuple(self.subscribers[channel]):
                subscription.offer(item)

    def interrupt_all(self) -> None:
        for subscriptions in self.subscribers.values():
            for subscription in subscriptions:
                subscription.interrupt()

    def deliver_threadsafe(self, channel: str, items: list[Item]) -> None:
        """From a Django thread, without PostgreSQL: hand the items to the event loop."""
        loop = self.loop
        if loop is None or loop.is_closed() or not self.subscribers[channel]:
            return
        loop.call_soon_threadsafe(self.dispatch, channel, items)


hub = Hub()


def _send(channel: str, items: list[Item]) -> None:
    if not items:
        return
    try:
        if connection.vendor == "postgresql":
            payloads = list(encode_payloads(items))
            with connection.cursor() as cursor:
                if len(payloads) == 1:  # every state change: no text[] to quote and unnest
                    cursor.execute("SELECT pg_notify(%s, %s)", [channel, payloads[0]])
                else:
                    cursor.execute(
                        "SELECT pg_notify(%s, payload) FROM unnest(%s::text[]) AS payload",
                        [channel, payloads],
                    )
        else:
            hub.deliver_threadsafe(channel, items)
    except Exception:
        logger.exception("could not publish %d items on %s", len(items), channel)


Observer = Callable[[list[Item]], None]
_observers: dict[str, list[Observer]] = {channel: [] for channel in CHANNELS}


def subscribe(callback: Observer, channel: str = EVENTS) -> Callable[[], None]:
    """Call `callback(items)` for every batch published by this process; returns the
    unsubscribe function. (Live socket subscribers use `hub.subscribe` instead.)"""
    _observers[channel].append(callback)
    return lambda: _observers[channel].remove(callback) if callback in _observers[channel] else None


def _observe(channel: str, items: list[Item]) -> None:
    for callback in list(_observers[channel]):
        try:
            callback(items)
        except Exception:
            logger.exception("bus observer %r failed", callback)


def _publish(channel: str, items: Iterable[Item]) -> None:
    if not event_settings().stream_out_enabled:
        return
    batch = list(items)
    if not batch:
        return
    transaction.on_commit(partial(_send, channel, batch))
    if _observers[channel]:
        transaction.on_commit(partial(_observe, channel, batch))


def publish_events(events: Iterable[Item]) -> None:
    """Stream stored events to `/api/events/out` subscribers (after commit)."""
    _publish(EVENTS, events)


def publish_logs(logs: Iterable[Item]) -> None:
    """Stream stored logs to `/api/logs/out` subscribers (after commit)."""
    _publish(LOGS, logs)
