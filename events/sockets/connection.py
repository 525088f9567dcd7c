"""A small websocket wrapper over an ASGI connection: accept, receive, send JSON, close.

Two server features beyond plain ASGI, served by `gunicorn_adapter` (`prefect.*` messages;
under a server without them a socket behaves as plain ASGI allows):

* **Ordered pings.** A socket that asks for them at `accept(ordered_pings=True)` gets each
  client PING as a `Ping` from `receive_frame()`, in order with the data frames, and answers it
  with `pong(ping)` once it has done with every frame before it. `receive()` answers pings at
  once, which is right for a caller that handles each frame before asking for the next.
* **Server stopping.** When the worker begins a graceful shutdown, the next receive raises
  `ServerStopping` (after the frames already read), so the handler can finish and close 1012.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_REASON_BYTES = 123  # a close frame holds 125 bytes: the code and the reason

# The server's side of the two features (scope["extensions"] keys and message types).
ORDERED_PINGS = "prefect.ordered_pings"
ENABLE_ORDERED_PINGS = "prefect.websocket.ordered_pings"  # app -> server, before accepting
PING = "prefect.websocket.ping"  # server -> app: {"type": PING, "bytes": payload}
PONG = "prefect.websocket.pong"  # app -> server: {"type": PONG, "bytes": payload}
SERVER_STOPPING = "prefect.websocket.server_stopping"  # server -> app

logger = logging.getLogger(__name__)


class Disconnected(Exception):
    """The client went away."""


class ServerStopping(Exception):
    """The server is shutting down: finish up and close (1012)."""


@dataclass(frozen=True)
class Ping:
    """A client PING, to be answered with `WebSocket.pong` (ordered pings only)."""

    payload: bytes


@functools.cache
def _warn_unordered_pings() -> None:
    logger.warning(
        "this ASGI server answers websocket pings itself: on /api/events/in a pong then "
        "means read, not stored (run it with gunicorn as `make serve` does)"
    )


def truncate_reason(reason: str, limit: int = MAX_REASON_BYTES) -> str:
    data = reason.encode()[:limit]
    return data.decode(errors="ignore")


class WebSocket:
    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.accepted = False
        self.closed = False
        self.ordered_pings = False

    @property
    def path(self) -> str:
        return str(self.scope.get("path", ""))

    def offered_subprotocols(self) -> list[str]:
        """Every comma-separated value of every Sec-WebSocket-Protocol header (as Prefect)."""
        offered: list[str] = []
        for name, value in self.scope.get("headers", ()):
            if name.lower() == b"sec-websocket-protocol":
                offered += [v.strip() for v in value.decode("latin-1").split(",") if v.strip()]
        return offered

    def supports(self, extension: str) -> bool:
        return extension in (self.scope.get("extensions") or {})

    async def connect(self) -> None:
        message = await self._receive()
        if message["type"] == SERVER_STOPPING:
            raise ServerStopping
        if message["type"] != "websocket.connect":
            raise Disconnected

    async def accept(self, subprotocol: str | None = None, *, ordered_pings: bool = False) -> None:
        if ordered_pings:
            if self.supports(ORDERED_PINGS):
                await self._send({"type": ENABLE_ORDERED_PINGS})
                self.ordered_pings = True
            else:
                _warn_unordered_pings()
        message: Message = {"type": "websocket.accept"}
        if subprotocol:
            message["subprotocol"] = subprotocol
        await self._send(message)
        self.accepted = True

    async def receive_frame(self) -> str | bytes | Ping:
        """The next text or binary message, or ping (ordered pings only).

        Raises Disconnected when the client is gone, ServerStopping when the server stops."""
        while True:
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.receive":
                if message.get("text") is not None:
                    return str(message["text"])
                if message.get("bytes") is not None:
                    return bytes(message["bytes"])
            elif kind == PING:
                return Ping(bytes(message["bytes"]))
            elif kind == SERVER_STOPPING:
                raise ServerStopping
            elif kind == "websocket.disconnect":
                self.closed = True
                raise Disconnected

    async def receive(self) -> str | bytes:
        """The next text or binary message, answering pings on the way."""
        while isinstance(frame := await self.receive_frame(), Ping):
            await self.pong(frame)
        return frame

    async def pong(self, ping: Ping) -> None:
        """Answer a ping (a client that has left needs no pong, so that is not an error)."""
        with contextlib.suppress(Disconnected):
            await self._send_message({"type": PONG, "bytes": ping.payload})

    async def send_json(self, data: Any) -> None:
        await self._send_message({"type": "websocket.send", "text": json.dumps(data)})

    async def _send_message(self, message: Message) -> None:
        try:
            await self._send(message)
        except OSError as error:  # ASGI 2.4: sending on a closed socket
            self.closed = True
            raise Disconnected from error

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close (or, before accepting, refuse the upgrade: HTTP 403)."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            await self._send(
                {"type": "websocket.close", "code": code, "reason": truncate_reason(reason)}
            )
