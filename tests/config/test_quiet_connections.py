"""A request checks a quiet PostgreSQL connection without a round trip, and still replaces
one the server has closed (`config/quiet_connections.py`)."""

from __future__ import annotations

import io
import json
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections

from tests.factories import FlowRunFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _get(path: str) -> tuple[str, bytes]:
    """One request through Django's own handler (the test client skips the request_started
    connection upkeep this is about)."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_X_PREFECT_API_VERSION": "0.8.4",
    }  # fmt: skip
    started: list[str] = []
    response = WSGIHandler()(environ, lambda status, headers, *_: started.append(status))
    try:
        return started[0], b"".join(response)
    finally:
        response.close()


@pytest.fixture
def checks(monkeypatch) -> list[bool]:
    """Each `SELECT 1` Django's health check sends, with its answer."""
    made: list[bool] = []
    real = type(connections["default"]).is_usable

    def counted(self):
        made.append(real(self))
        return made[-1]

    monkeypatch.setattr(type(connections["default"]), "is_usable", counted)
    return made


@pytest.fixture
def run_path() -> str:
    assert connection.health_check_enabled  # the production settings' CONN_HEALTH_CHECKS
    return f"/api/flow_runs/{FlowRunFactory().id}"


def test_a_quiet_connection_is_used_without_a_select_1(checks, run_path):
    assert _get(run_path)[0] == "200 OK"  # opens the connection, or finds it open
    pid = connection.connection.info.backend_pid

    for _ in range(3):
        assert _get(run_path)[0] == "200 OK"

    assert checks == []
    assert connection.connection.info.backend_pid == pid  # the same connection, kept


def test_a_connection_the_server_closed_is_replaced_before_the_first_query(checks, run_path):
    assert _get(run_path)[0] == "200 OK"
    pid = connection.connection.info.backend_pid
    with connection.connection.connect(connection.connection.info.dsn) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the server's goodbye reaches the socket

    status, body = _get(run_path)

    assert status == "200 OK", body  # not a 503 for a connection that was dead already
    assert json.loads(body)["id"] == run_path.rsplit("/", 1)[1]
    assert checks == [False]  # Django's own check ran, failed, and closed it
    assert connection.connection.info.backend_pid != pid
