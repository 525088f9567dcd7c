"""`WS /api/events/in` (events.md §3): the handshake, then one event per frame.

Frames are read by one task and ingested by another, in arrival order: whatever arrived while
the previous batch was being stored is validated and stored next, as one batch (up to
`BATCH`), in one `events_ingest` transaction on a database thread. A frame that is not a
valid event (bad JSON, bad UTF-8, a validation error) is logged and skipped and the socket
stays open (§3.3 recommendation). Binary frames are read as UTF-8 JSON (§3.2). Ingestion is
idempotent on the event id, so the client's resends after a reconnect store nothing twice.
The reader stops reading while `QUEUED` frames wait, so the websocket's own flow control
(and the client's ping checkpoints) slow a producer down instead of growing memory.

**A pong means stored** (§3.4). The socket takes ordered pings (`connection`): a ping waits
in the queue behind the frames sent before it, and is answered only once they are committed,
so the events a pong confirms survive the process being killed. If the database fails, the
socket closes (1011) with those pings unanswered and the client resends. When the server
stops, the frames already read (also those the server read just after the stop message) are
stored, and the pings among them answered; then the socket closes with 1012 and the client
reconnects and resends whatever it has not seen confirmed.
"""

from __future__ import annotations

import asyncio
import logging

from django.db import InterfaceError, OperationalError
from pydantic import ValidationError

from events.schemas import EventIn
from events.services.ingest import events_ingest

from .connection import Disconnected, Ping, ServerStopping, WebSocket
from .db import run_db
from .handshake import accept_prefect_socket

logger = logging.getLogger(__name__)

BATCH = 100
QUEUED = 100
DRAIN = 64  # frames read after the stop message, at most
DRAIN_IDLE = 0.05  # seconds without one that end the drain

# The database (not the event) failed: nothing can be stored, so no ping may be answered.
UNAVAILABLE = (OperationalError, InterfaceError)

Frame = str | bytes


def parse_frame(frame: Frame) -> EventIn | None:
    """The event in one frame, or None (logged) when the frame is not a valid event."""
    try:
        return EventIn.model_validate_json(frame)
    except ValidationError as error:
        errors = error.errors()
        where = ".".join(str(part) for part in errors[0]["loc"]) if errors else ""
        logger.warning(
            "skipped an invalid event on /api/events/in: %s at %s (%s)",
            errors[0]["msg"] if errors else error,
            where,
            _describe(frame),
        )
        return None


def _describe(frame: Frame) -> str:
    text = frame if isinstance(frame, str) else frame.decode(errors="replace")
    return f"{len(text)} chars: {text[:120]!r}"


def ingest_frames(frames: list[Frame]) -> int:
    """Validate and store a batch of frames (on a database thread); returns how many were
    newly stored. If the batch fails as a whole, each event is retried on its own, and one
    that still fails is logged and skipped, unless the database itself is unavailable: then
    this raises and nothing after it is confirmed."""
    events = [event for event in map(parse_frame, frames) if event is not None]
    if not events:
        return 0
    try:
        return len(events_ingest(events))
    except Exception:
        logger.warning("could not store a batch of %s events, storing one by one", len(events))
    stored = 0
    for event in events:
        try:
            stored += len(events_ingest([event]))
        except UNAVAILABLE:
            raise
        except Exception:
            logger.exception("could not store event %s", event.id)
    return stored


async def _read(socket: WebSocket, queue: asyncio.Queue[Frame | Ping | None]) -> bool:
    """Queue frames and pings, then None; True if it ended because the server is stopping."""
    try:
        while True:
            await queue.put(await socket.receive_frame())
    except Disconnected:
        stopping = False
    except ServerStopping:
        stopping = True
        await _drain(socket, queue)
    await queue.put(None)
    return stopping


async def _drain(socket: WebSocket, queue: asyncio.Queue[Frame | Ping | None]) -> None:
    """After the stop: queue what the server had already read off the wire behind the stop
    message (its receive queue holds up to 32), so it is stored, and its pings answered,
    before the 1012 close instead of being resent. Bounded in count and in idle time."""
    for _ in range(DRAIN):
        try:
            item = await asyncio.wait_for(socket.receive_frame(), DRAIN_IDLE)
        except (TimeoutError, Disconnected, ServerStopping):
            return
        await queue.put(item)


async def _ingest(socket: WebSocket, queue: asyncio.Queue[Frame | Ping | None]) -> None:
    """Store the queued frames in batches; answer each ping once every frame before it is
    stored. Returns at the None that ends the queue."""
    frames: list[Frame] = []
    while True:
        if frames and queue.empty():
            await run_db(ingest_frames, frames)
            frames = []
        item = await queue.get()
        if item is None:
            break
        if isinstance(item, Ping):
            if frames:
                await run_db(ingest_frames, frames)
                frames = []
            await socket.pong(item)
            continue
        frames.append(item)
        if len(frames) >= BATCH:
            await run_db(ingest_frames, frames)
            frames = []
    if frames:
        await run_db(ingest_frames, frames)


async def events_in(socket: WebSocket) -> None:
    if not await accept_prefect_socket(socket, ordered_pings=True):
        return
    queue: asyncio.Queue[Frame | Ping | None] = asyncio.Queue(maxsize=QUEUED)
    reader = asyncio.create_task(_read(socket, queue))
    try:
        await _ingest(socket, queue)
    finally:
        if not reader.done():
            reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    if not reader.cancelled() and reader.result():
        raise ServerStopping
