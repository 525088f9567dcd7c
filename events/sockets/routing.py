"""ASGI entry for websocket scopes: the three stream routes, anything else refused (403).

A handler that fails closes with 1011 (internal error) and the client reconnects, resending or
backfilling; when the database is unavailable that leaves one log line, not a traceback. With
no live stream to subscribe to (the listener cannot reach the database for 10 s) the outgoing
streams close with 1013 (try again later).

A handler that ends with ServerStopping (the worker is shutting down gracefully) has finished
its work; the socket closes with 1012 (service restart) so the client reconnects at once, to
another worker or to the restarted server, and resends or backfills what it needs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from events.bus import StreamInterrupted
from flowruns.outages import database_unavailable, first_line

from .connection import Disconnected, Receive, Scope, Send, ServerStopping, WebSocket
from .events_in import events_in
from .events_out import events_out
from .logs_out import logs_out
from .streaming import TRY_AGAIN_LATER, FilterRefused

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
    except StreamInterrupted as error:  # no live stream to subscribe to (database down)
        logger.warning("websocket %s: %s", socket.path, error)
        await socket.close(TRY_AGAIN_LATER, "Live stream unavailable, reconnect")
        return
    except Exception as error:
        if database_unavailable(error):  # e.g. the backfill of /api/events/out
            logger.warning("websocket %s: database unavailable: %s", socket.path, first_line(error))
            await socket.close(INTERNAL_ERROR, "Database unavailable")
            return
        logger.exception("websocket %s failed", socket.path)
        await socket.close(INTERNAL_ERROR, "Internal error")
        return
    await socket.close()
