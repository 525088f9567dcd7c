"""The server model: slow clients do not stall the ASGI server; config/wsgi.py still serves."""

from __future__ import annotations

import io
import socket
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.conftest import on_postgres
from tests.events.transport.live import Live

SLOW_CLIENTS = 20  # more than the HTTP threads of the one worker


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    live = Live(tmp_path_factory.mktemp("slow"), on_postgres=on_postgres(), workers=1)
    live.start()
    try:
        yield live
    finally:
        live.stop()


def test_clients_sending_one_byte_of_a_body_do_not_stall_other_requests(one_worker):
    """Under sync workers, five such clients stall a five-worker server until `timeout`."""
    slow = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", one_worker.port), timeout=5)
        sock.sendall(
            b"POST /api/flow_runs/filter HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        slow.append(sock)
    try:
        time.sleep(0.5)
        started = time.monotonic()
        for _ in range(5):
            status, _ = one_worker.post("/flow_runs/filter", {"limit": 1}, timeout=5)
            assert status == 200
        with urllib.request.urlopen(f"{one_worker.url}/health", timeout=5) as response:
            assert response.status == 200
        assert time.monotonic() - started < 3
    finally:
        for sock in slow:
            sock.close()


def test_the_wsgi_application_still_serves_http(db):
    from config.wsgi import application

    answers: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/health",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(application(environ, lambda status, headers: answers.append(status)))
    assert answers == ["200 OK"] and body == b"true"
