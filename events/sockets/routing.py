"""ASGI entry for websocket scopes: the three stream routes, anything else refused (403).

A handler that ends with ServerStopping (the worker is shutting down gracefully) has finished
its work; the socket closes with 1012 (service restart) so the client reconnects at once, to
another worker or to the restarted server, and resends or backfills what it needs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from .connection import Disconnected, Receive, Scope, Send, ServerStopping, WebSocket
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
SERVICE_RESTART = 1012


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
    except ServerStopping:
        await socket.close(SERVICE_RESTART, "Server restarting, reconnect")
        return
    except Exception:
        logger.exception("websocket %s failed", socket.path)
        await socket.close(INTERNAL_ERROR, "Internal error")
        return
    await socket.close()
