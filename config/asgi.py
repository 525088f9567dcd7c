"""The ASGI application `make serve` runs (`gunicorn -k asgi config.asgi:application`).

One port for everything: websocket scopes on `/api/events/in`, `/api/events/out` and
`/api/logs/out` go to `events.sockets`; HTTP goes to Django's WSGI handler on a thread pool
(`config.wsgi_bridge`, chosen over Django's ASGIHandler by bench/README.md's numbers); the
lifespan starts and stops this process's PostgreSQL listener for the live streams.
`config/wsgi.py` still serves HTTP alone for sync-worker deployments.

Importing this module adapts gunicorn's ASGI worker for the event sockets
(`events.sockets.gunicorn_adapter`: a pong on /api/events/in means stored, and a graceful
shutdown closes the sockets at once); it refuses to start on a gunicorn it was not written for.
"""

from __future__ import annotations

import asyncio
import logging
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from config.startup_objects import startup_objects_frozen  # noqa: E402
from config.wsgi_bridge import WSGIBridge  # noqa: E402
from events import bus  # noqa: E402
from events.bus_listener import Listener, connection_params  # noqa: E402
from events.sockets import db as socket_db  # noqa: E402
from events.sockets import gunicorn_adapter  # noqa: E402
from events.sockets.connection import Receive, Scope, Send  # noqa: E402
from events.sockets.routing import websocket_app  # noqa: E402

logger = logging.getLogger(__name__)

gunicorn_adapter.install()

LISTENER_STOP = 2.0  # seconds


class Application:
    def __init__(self) -> None:
        self.http = WSGIBridge(threads=settings.ASGI_THREADS)
        self.listener: Listener | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "websocket":
            await websocket_app(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.startup()
                except Exception as error:
                    logger.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def startup(self) -> None:
        # Import the URLconf (views, serializers, schemas) now rather than in the first request:
        # a client that gives up on a slow first request is logged by the ASGI worker as a 500.
        get_resolver().url_patterns  # noqa: B018
        startup_objects_frozen()  # everything loaded so far lives as long as the worker
        vendor = connections["default"].vendor
        if vendor == "sqlite" and int(os.environ.get("GUNICORN_WORKERS") or 1) > 1:
            logger.warning(
                "SQLite with several workers: /api/events/out and /api/logs/out only see what "
                "their own worker stored. Use one worker, or PostgreSQL."
            )
        if vendor == "postgresql":
            self.listener = Listener(bus.hub, connection_params())
            self.listener.start()

    async def shutdown(self) -> None:
        if self.listener is not None:
            # Closing its connection can hang on a database that went away; the process is
            # exiting, so it gets LISTENER_STOP seconds and then is left to the exit.
            try:
                await asyncio.wait_for(self.listener.stop(), LISTENER_STOP)
            except TimeoutError:
                logger.warning("events listener did not stop within %s s", LISTENER_STOP)
        socket_db.shutdown()
        self.http.shutdown()


application = Application()
