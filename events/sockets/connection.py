"""A small websocket wrapper over an ASGI connection: accept, receive, send JSON, close."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_REASON_BYTES = 123  # a close frame holds 125 bytes: the code and the reason


class Disconnected(Exception):
    """The client went away."""


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

    async def connect(self) -> None:
        message = await self._receive()
        if message["type"] != "websocket.connect":
            raise Disconnected

    async def accept(self, subprotocol: str | None = None) -> None:
        message: Message = {"type": "websocket.accept"}
        if subprotocol:
            message["subprotocol"] = subprotocol
        await self._send(message)
        self.accepted = True

    async def receive(self) -> str | bytes:
        """The next text or binary message; raises Disconnected when the client is gone."""
        while True:
            message = await self._receive()
            if message["type"] == "websocket.disconnect":
                self.closed = True
                raise Disconnected
            if message["type"] != "websocket.receive":
                continue
            if message.get("text") is not None:
                return str(message["text"])
            if message.get("bytes") is not None:
                return bytes(message["bytes"])

    async def send_json(self, data: Any) -> None:
        try:
            await self._send({"type": "websocket.send", "text": json.dumps(data)})
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
