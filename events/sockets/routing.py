"""ASGI entry for websocket scopes: the three stream routes, anything else refused (403)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from .connection import Disconnected, Receive, Scope, Send, WebSocket
from .events_in import events_in
from .events_out import events_out
from .logs_out import logs_out
from .streaming import FilterRefused

logger = logging.getLogger(__name__)

ROUTES: dict[str, Callable[[WebSocket], Awaitable[None]]] = {
    "/api/events/in": events_in,
    "/api/events/out": events_out,
    "/api/logs/out": logs_out,
}
INTERNAL_ERROR = 1011


async def websocket_app(scope: Scope, receive: Receive, send: Send) -> None:
    socket = WebSocket(scope, receive, send)
    handler = ROUTES.get(socket.path)
    if handler is None:
        await socket.connect()
        await socket.close()  # before accept: HTTP 403, as Prefect answers unknown routes
        return
    try:
        await handler(socket)
    except (Disconnected, FilterRefused):
        return
    except Exception:
        logger.exception("websocket %s failed", socket.path)
        await socket.close(INTERNAL_ERROR, "Internal error")
        return
    await socket.close()
