"""A graceful stop (SIGTERM to gunicorn's master; SIGHUP and max_requests recycling take the
same path in the worker) stores what `/api/events/in` has read and closes every event socket
with 1012 at once, instead of holding the worker for gunicorn's graceful_timeout (30 s).

Each test runs its own server (`slow_app`: every batch is stored 0.5 s late, so the frames
are still queued, read but unstored, when the stop begins).
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from tests.conftest import on_postgres

from .helpers import event, live_filter, open_socket, unique
from .live import SLOW_APP, Live

SENT = 120  # all read at once: fewer than gunicorn's 32 + the handler's 100 queued frames
CLOSED_WITHIN = 5.0  # seconds; the worker looks at its signal flag once a second


def _server(tmp_path: Path, **env: str) -> Iterator[Live]:
    live = Live(tmp_path, on_postgres=on_postgres(), app=SLOW_APP, extra_env=env)
    live.extra_env["TEST_INGEST_DELAY"] = "0.5"
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Live]:
    yield from _server(tmp_path)


@pytest.fixture
def server_without_adapter(tmp_path: Path) -> Iterator[Live]:
    yield from _server(tmp_path, TEST_GUNICORN_ADAPTER="off")


def _sockets(live: Live, prefix: str) -> dict[str, ClientConnection]:
    sockets = {"/events/in": open_socket(live, "/events/in")}
    filters = {"/events/out": live_filter(event={"prefix": [prefix]}), "/logs/out": {}}
    for path, filter_ in filters.items():
        sockets[path] = open_socket(live, path)
        sockets[path].send(json.dumps({"type": "filter", "filter": filter_}))
    return sockets


def _close_code(ws: ClientConnection, deadline: float) -> int | None:
    """The server's close code, or None if the socket is still open at the deadline."""
    try:
        while True:
            ws.recv(timeout=max(deadline - time.monotonic(), 0.01))
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else 1006
    except TimeoutError:
        return None


def _send_then_sigterm(live: Live, prefix: str) -> tuple[dict[str, ClientConnection], float]:
    sockets = _sockets(live, prefix)
    for i in range(SENT):
        sockets["/events/in"].send(json.dumps(event(f"{prefix}.{i}")))
    time.sleep(0.3)  # read off the wire into the server's queues; most not stored yet
    assert live.process is not None
    live.process.send_signal(signal.SIGTERM)
    return sockets, time.monotonic()


def test_sigterm_stores_what_was_read_and_closes_every_socket_with_1012_at_once(server):
    prefix = unique("test.stop")
    sockets, stopped_at = _send_then_sigterm(server, prefix)

    deadline = stopped_at + CLOSED_WITHIN
    codes = {path: _close_code(ws, deadline) for path, ws in sockets.items()}
    closed_after = time.monotonic() - stopped_at
    assert codes == {"/events/in": 1012, "/events/out": 1012, "/logs/out": 1012}
    assert closed_after < CLOSED_WITHIN

    assert server.process is not None
    server.process.wait(timeout=25)  # less than graceful_timeout: nothing held the worker
    assert time.monotonic() - stopped_at < 15
    assert server.count_events(prefix) == SENT


def test_without_the_adapter_the_sockets_hold_the_stopping_worker(server_without_adapter):
    """Why the adapter exists: gunicorn alone waits up to graceful_timeout for the sockets."""
    live = server_without_adapter
    sockets, stopped_at = _send_then_sigterm(live, unique("test.hold"))
    deadline = stopped_at + CLOSED_WITHIN
    codes = {path: _close_code(ws, deadline) for path, ws in sockets.items()}
    try:
        assert codes == {"/events/in": None, "/events/out": None, "/logs/out": None}
    finally:
        live.kill()
