"""Shared parts of the outgoing streams: the `filter` message and the live pump."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from events.bus import StreamInterrupted, Subscription

from .connection import Disconnected, ServerStopping, WebSocket

logger = logging.getLogger(__name__)

PROTOCOL_ERROR = 1002
TRY_AGAIN_LATER = 1013  # the live stream was interrupted: reconnect (and backfill)


class FilterRefused(Exception):
    """The socket was closed because the `filter` message was wrong."""


async def read_filter(socket: WebSocket, parse: Callable[[Any], Any]) -> tuple[Any, dict]:
    """The parsed `filter` of the next message, and the whole message.

    Closes with 1002 `Expected 'filter' message` or `Invalid filter: ...` (reason cut to 123
    bytes, where Prefect's own overlong reason drops the connection) and raises FilterRefused.
    """
    text = await socket.receive()
    try:
        message = json.loads(text)
    except ValueError:
        message = None
    if not isinstance(message, dict) or message.get("type") != "filter":
        await socket.close(PROTOCOL_ERROR, "Expected 'filter' message")
        raise FilterRefused
    try:
        return parse(message.get("filter")), message
    except Exception as error:  # pydantic.ValidationError, mostly
        await socket.close(PROTOCOL_ERROR, f"Invalid filter: {error}")
        raise FilterRefused from error


async def _drain_client(socket: WebSocket) -> None:
    """Read (and ignore) whatever the client sends, until it goes away (or, raising
    ServerStopping, until the server stops)."""
    try:
        while True:
            await socket.receive()
    except Disconnected:
        return


async def pump(
    socket: WebSocket,
    subscription: Subscription,
    send: Callable[[dict], Awaitable[None]],
) -> None:
    """Forward live items to the client until it leaves or the stream is interrupted
    (closed 1013); raises ServerStopping when the server stops."""
    watcher = asyncio.create_task(_drain_client(socket))

    async def forward() -> None:
        while True:
            await send(await subscription.next())

    forwarder = asyncio.create_task(forward())
    try:
        done, _ = await asyncio.wait({watcher, forwarder}, return_when=asyncio.FIRST_COMPLETED)
        if watcher in done and isinstance(watcher.exception(), ServerStopping):
            raise ServerStopping
        if forwarder in done and not forwarder.cancelled():
            error = forwarder.exception()
            if isinstance(error, StreamInterrupted):
                await socket.close(TRY_AGAIN_LATER, "Live stream interrupted, reconnect")
            elif error is not None and not isinstance(error, Disconnected):
                raise error
    finally:
        for task in (watcher, forwarder):
            task.cancel()
        await asyncio.gather(watcher, forwarder, return_exceptions=True)
