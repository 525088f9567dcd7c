"""What gunicorn's ASGI worker must do for the event sockets that it does not do by itself.

`install()` (called by `config.asgi`) adds, to exactly gunicorn 27.0.1, the two server
features that `connection` describes:

* **Ordered pings.** gunicorn's frame reader answers a PING the moment it reads it, while up
  to 32 messages wait unread in its receive queue (and more in the application's own queue):
  the pong proves the frames were read off the wire, not handled. A socket that sends
  `{"type": "prefect.websocket.ordered_pings"}` before accepting gets each PING as a
  `{"type": "prefect.websocket.ping", "bytes": ...}` message instead, queued behind the frames
  before it (so it waits for space like they do), and answers it with
  `{"type": "prefect.websocket.pong", "bytes": ...}`. Other sockets are unchanged.
* **Server stopping.** On a graceful shutdown (SIGTERM, SIGHUP's replacement of the workers,
  max_requests recycling) the worker closes its listeners and then waits up to
  graceful_timeout for every connection to end; the ASGI lifespan shutdown comes only after
  that wait, so it cannot tell the long-lived sockets to end it. The worker's shutdown now
  first puts `{"type": "prefect.websocket.server_stopping"}` at the end of every open
  websocket's receive queue, behind the frames already read.

Both reach into gunicorn's private code (`WebSocketProtocol._read_frame`, `_send`,
`_receive_queue`, `ASGIWorker._shutdown`), so `install()` refuses any other gunicorn
version: an upgrade fails loudly at start and in the tests, never silently. To upgrade, read
gunicorn/asgi/websocket.py and gunicorn/workers/gasgi.py again, check every override below
against them, and update `GUNICORN_VERSION`.
"""

from __future__ import annotations

from typing import Any

import gunicorn
from gunicorn.asgi import websocket
from gunicorn.asgi.websocket import WebSocketProtocol as GunicornProtocol
from gunicorn.workers import gasgi

from .connection import ENABLE_ORDERED_PINGS, ORDERED_PINGS, PING, PONG, SERVER_STOPPING

GUNICORN_VERSION = "27.0.1"


class UnsupportedGunicorn(RuntimeError):
    pass


class EventSocketProtocol(GunicornProtocol):
    """gunicorn's websocket protocol, with ordered pings and the server-stopping message."""

    running: set[EventSocketProtocol] = set()  # this process's websockets, for the shutdown

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extensions = self.scope.setdefault("extensions", {})
        extensions[ORDERED_PINGS] = {}
        extensions[SERVER_STOPPING] = {}
        self.ordered_pings = False

    async def run(self) -> None:
        EventSocketProtocol.running.add(self)
        try:
            await super().run()
        finally:
            EventSocketProtocol.running.discard(self)

    async def _read_frame(self) -> tuple[int, bytes] | None:
        # Called by the reader loop (`_read_frames`) for every frame, in order.
        frame = await super()._read_frame()
        if frame is not None and frame[0] == websocket.OPCODE_PING and self.ordered_pings:
            await self._put_message({"type": PING, "bytes": frame[1]})
            return (websocket.OPCODE_PONG, b"")  # which the reader loop ignores
        return frame

    async def _send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == ENABLE_ORDERED_PINGS:
            self.ordered_pings = True
        elif kind == PONG:
            if self.closed or self._close_sent:
                raise websocket.WebSocketDisconnected("WebSocket closed")
            await self._send_frame(websocket.OPCODE_PONG, message["bytes"])
        else:
            await super()._send(message)

    def server_stopping(self) -> None:
        """Tell the application, after the messages already queued (unbounded: no wait)."""
        if not self.closed and not self._close_sent:
            self._receive_queue.put_nowait({"type": SERVER_STOPPING})


_gunicorn_shutdown = gasgi.ASGIWorker._shutdown


async def _shutdown(worker: gasgi.ASGIWorker) -> None:
    """The worker's graceful shutdown, telling the websockets first."""
    for protocol in list(EventSocketProtocol.running):
        protocol.server_stopping()
    # gunicorn's closes the listeners before its first await, so the sockets (which run from
    # the next loop iteration on) close after this worker has stopped accepting.
    await _gunicorn_shutdown(worker)


def installed() -> bool:
    return websocket.WebSocketProtocol is EventSocketProtocol


def install() -> None:
    """Make gunicorn's ASGI worker serve ordered pings and the server-stopping message."""
    if gunicorn.__version__ != GUNICORN_VERSION:
        raise UnsupportedGunicorn(
            f"{__name__} adapts gunicorn {GUNICORN_VERSION}'s private websocket and worker "
            f"code, but gunicorn {gunicorn.__version__} is installed: review the adapter "
            "against it (see the module docstring) before changing GUNICORN_VERSION"
        )
    if installed():
        return
    websocket.WebSocketProtocol = EventSocketProtocol
    gasgi.ASGIWorker._shutdown = _shutdown


def uninstall() -> None:
    """Back to gunicorn's own behaviour (for tests that show why the adapter exists)."""
    if not installed():
        return
    websocket.WebSocketProtocol = GunicornProtocol
    gasgi.ASGIWorker._shutdown = _gunicorn_shutdown
