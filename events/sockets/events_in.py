"""`WS /api/events/in` (events.md §3): the handshake, then one event per frame.

Frames are read by one task and ingested by another, in arrival order: whatever arrived while
the previous batch was being stored is validated and stored next, as one batch (up to
`BATCH`), in one `events_ingest` transaction on a database thread. A frame that is not a
valid event (bad JSON, bad UTF-8, a validation error) is logged and skipped and the socket
stays open (§3.3 recommendation). Binary frames are read as UTF-8 JSON (§3.2). Ingestion is
idempotent on the event id, so the client's resends after a reconnect store nothing twice.
The reader stops reading while `QUEUED` frames wait, so the websocket's own flow control
(and the client's ping checkpoints) slow a producer down instead of growing memory. A pong
confirms that a frame was read, not stored: at most about `QUEUED` + 32 (gunicorn's receive
queue) confirmed events are lost if the process dies, as in Prefect's in-memory bus.
"""

from __future__ import annotations

import asyncio
import logging

from pydantic import ValidationError

from events.schemas import EventIn
from events.services.ingest import events_ingest

from .connection import Disconnected, WebSocket
from .db import run_db
from .handshake import accept_prefect_socket

logger = logging.getLogger(__name__)

BATCH = 100
QUEUED = 100


def parse_frame(frame: str | bytes) -> EventIn | None:
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


def _describe(frame: str | bytes) -> str:
    text = frame if isinstance(frame, str) else frame.decode(errors="replace")
    return f"{len(text)} chars: {text[:120]!r}"


def ingest_frames(frames: list[str | bytes]) -> int:
    """Validate and store a batch of frames (on a database thread); returns how many were
    newly stored. If the batch fails as a whole, each event is retried on its own."""
    events = [event for event in map(parse_frame, frames) if event is not None]
    if not events:
        return 0
    try:
        return len(events_ingest(events))
    except Exception:
        if len(events) == 1:
            logger.exception("could not store event %s", events[0].id)
            return 0
    stored = 0
    for event in events:
        try:
            stored += len(events_ingest([event]))
        except Exception:
            logger.exception("could not store event %s", event.id)
    return stored


async def _read(socket: WebSocket, queue: asyncio.Queue[str | bytes | None]) -> None:
    try:
        while True:
            await queue.put(await socket.receive())
    except Disconnected:
        pass
    finally:
        await queue.put(None)


async def events_in(socket: WebSocket) -> None:
    if not await accept_prefect_socket(socket):
        return
    queue: asyncio.Queue[str | bytes | None] = asyncio.Queue(maxsize=QUEUED)
    reader = asyncio.create_task(_read(socket, queue))
    try:
        done = False
        while not done:
            frames: list[str | bytes] = []
            frame = await queue.get()
            while frame is not None:
                frames.append(frame)
                if len(frames) >= BATCH or queue.empty():
                    break
                frame = queue.get_nowait()
            done = frame is None
            if frames:
                await run_db(ingest_frames, frames)
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
