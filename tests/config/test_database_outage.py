"""A database outage is a 503 the Prefect client rides out, and the server recovers by itself.

A live server (gunicorn, as `make serve` runs it) reaches PostgreSQL through a TCP forwarder
the test controls (`db_proxy`): cutting it drops the server's connections and refuses new
ones, as a PostgreSQL restart or a network failure would; `pg_terminate_backend` kills the
server's sessions while PostgreSQL stays up. In-process tests cover the mapping itself (which
errors are an outage, the body, the header, the single log line) on both backends.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, ProgrammingError
from django.test import Client
from websockets.exceptions import ConnectionClosed

from flowruns.models import FlowRun, TaskRun
from flowruns.outages import database_unavailable
from tests.conftest import on_postgres
from tests.events.transport.helpers import (
    checkpoint,
    event,
    live_filter,
    open_socket,
    receive_json,
    unique,
)
from tests.events.transport.live import postgres
from tests.factories import FlowRunFactory

from .db_proxy import DatabaseProxy
from .outage_server import ProxiedLive, call, log_size, new_lines, terminate_sessions, warm


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxiedLive]:
    assert on_postgres()  # only the tests marked `postgres` use it
    db = postgres()
    proxy = DatabaseProxy(db.host, db.port).start()
    live = ProxiedLive(tmp_path_factory.mktemp("outage"), on_postgres=True, workers=1)
    live.proxy = proxy
    live.start()
    try:
        yield live
    finally:
        live.stop()
        proxy.stop()


def unavailable_error(cause: Exception, wrapper: type[DatabaseError] = OperationalError) -> Any:
    """What Django raises for a driver error: its own class, the driver's as the cause."""
    error = wrapper(str(cause))
    error.__cause__ = cause
    return error


LOST = unavailable_error(psycopg.OperationalError("consuming input failed: server closed"))
RETRY_AFTER = str(settings.DATABASE_RETRY_AFTER)
OUR_LINE = "Database unavailable, answered 503 to"


# --- which errors are an outage --------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (LOST, True),
        (unavailable_error(psycopg.OperationalError("connection failed: refused")), True),
        (unavailable_error(psycopg.errors.AdminShutdown("terminating connection")), True),
        (unavailable_error(psycopg.errors.CannotConnectNow("starting up")), True),
        (unavailable_error(psycopg.errors.TooManyConnections("too many clients")), True),
        (unavailable_error(psycopg.errors.DeadlockDetected("deadlock")), True),
        (
            unavailable_error(psycopg.InterfaceError("the connection is closed"), InterfaceError),
            True,
        ),
        (unavailable_error(psycopg.errors.ObjectInUse("in use")), False),
        (unavailable_error(psycopg.errors.UndefinedTable("no table"), ProgrammingError), False),
        (unavailable_error(sqlite3.OperationalError("database is locked")), True),
        (unavailable_error(sqlite3.OperationalError("no such table: flow")), False),
        (ValueError("connection refused"), False),
    ],
)
def test_only_errors_saying_the_database_cannot_answer_now_are_an_outage(error, outage):
    assert database_unavailable(error) is outage


# --- in process, on either backend ----------------------------------------------------------


@pytest.mark.django_db
def test_an_outage_in_an_api_view_is_a_503_with_retry_after_and_one_log_line(
    api, monkeypatch, caplog
):
    def lost(*args: Any, **kwargs: Any) -> Any:
        raise LOST

    monkeypatch.setattr("flowruns.api.views.flows.flow_get", lost)
    caplog.set_level(logging.INFO)

    response = api.get(f"/api/flows/{uuid.uuid4()}")

    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    assert response.json() == {"exception_message": "Service Unavailable"}
    assert [(r.levelname, r.exc_info) for r in caplog.records] == [("WARNING", None)]
    assert caplog.records[0].getMessage().startswith(f"{OUR_LINE} GET /api/flows/")
    assert "\n" not in caplog.records[0].getMessage()


@pytest.mark.django_db
def test_any_other_database_error_stays_a_500(api, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise unavailable_error(psycopg.errors.UndefinedTable("no table"), ProgrammingError)

    monkeypatch.setattr("flowruns.api.views.flows.flow_get", broken)

    response = api.get(f"/api/flows/{uuid.uuid4()}")

    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where",
    [
        "django.contrib.admin.sites.AdminSite.each_context",  # a view outside DRF
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",  # a middleware
    ],
)
def test_an_outage_outside_the_api_views_is_a_503_too(monkeypatch, caplog, where):
    def lost(*args: Any, **kwargs: Any) -> Any:
        raise LOST

    monkeypatch.setattr(where, lost)
    caplog.set_level(logging.INFO)

    response = Client(raise_request_exception=False).get("/admin/login/")

    assert response.status_code == 503
    assert response["Retry-After"] == RETRY_AFTER
    assert [(r.name, r.exc_info) for r in caplog.records] == [
        ("flowruns.api.wire.unavailable", None)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "reader"),
    [("flow_runs", "flow_run_row_or_404"), ("task_runs", "get_task_run_or_404")],
)
def test_a_create_whose_answer_cannot_be_read_is_not_committed(api, monkeypatch, kind, reader):
    """An answer that must be read is read in the writing transaction: a 503 means nothing
    was stored, so the client's retry cannot store the run twice. (A new flow run is answered
    from the row just written, with no query after its writes: `test_statements.py`; a flow
    run found by its idempotency key is read.)"""
    run = FlowRunFactory.create(idempotency_key="once")
    before = {"flow_runs": FlowRun.objects.count(), "task_runs": TaskRun.objects.count()}

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise LOST

    monkeypatch.setattr(f"flowruns.api.views.{kind}.{reader}", lost)
    body = (
        {"flow_id": str(run.flow_id), "idempotency_key": "once"}
        if kind == "flow_runs"
        else {"flow_run_id": str(run.id), "task_key": "t", "dynamic_key": "0"}
    )

    response = api.post(f"/api/{kind}/", body, format="json")

    assert response.status_code == 503
    assert {"flow_runs": FlowRun.objects.count(), "task_runs": TaskRun.objects.count()} == before


@pytest.mark.django_db
def test_ready_asks_the_database_and_health_does_not(api, django_assert_num_queries, monkeypatch):
    with django_assert_num_queries(0):
        assert api.get("/api/health").json() is True
    response = api.get("/api/ready")
    assert (response.status_code, response.json()) == (200, {"message": "OK"})

    monkeypatch.setattr("flowruns.api.views.service.database_answers", lambda: LOST)
    response = api.get("/api/ready")

    assert (response.status_code, response.json()) == (
        503,
        {"message": "Database is not available"},
    )
    assert response["Retry-After"] == RETRY_AFTER


# --- a live server on PostgreSQL --------------------------------------------------------------


@pytest.mark.postgres
def test_while_the_database_is_unreachable_the_server_answers_503_then_recovers(proxied):
    live, proxy = proxied, proxied.proxy
    assert proxy is not None
    flow = call(live, "POST", "/flows/", {"name": "outage"}).body["id"]
    warm(live)
    since = log_size(live)
    proxy.cut()
    try:
        failed = {
            "GET /api/flows/": call(live, "GET", f"/flows/{flow}"),
            "POST /api/flow_runs/:": call(live, "POST", "/flow_runs/", {"flow_id": flow}),
            "POST /api/flow_runs/filter:": call(live, "POST", "/flow_runs/filter", {}),
        }
        ready = call(live, "GET", "/ready")
        health = call(live, "GET", "/health")
        lines = new_lines(live, since)
    finally:
        proxy.restore()

    for answer in failed.values():
        assert (answer.status, answer.body) == (503, {"exception_message": "Service Unavailable"})
        assert answer.headers["retry-after"] == RETRY_AFTER
    assert (ready.status, ready.body) == (503, {"message": "Database is not available"})
    assert ready.headers["retry-after"] == RETRY_AFTER
    assert (health.status, health.body) == (200, True)
    ours = [line for line in lines if OUR_LINE in line]
    assert len(ours) == len(failed) + 1  # and /ready
    for request in failed:
        assert sum(f"{OUR_LINE} {request}" in line for line in ours) == 1
    assert not [line for line in lines if line[:1].isspace() or "Traceback" in line], lines
    assert not [line for line in lines if "Service Unavailable:" in line]  # Django's own

    # The very first requests once the database is back succeed: no broken connection is reused.
    assert call(live, "GET", f"/flows/{flow}").status == 200
    assert call(live, "POST", "/flow_runs/", {"flow_id": flow}).status == 201
    assert call(live, "GET", "/ready").body == {"message": "OK"}


@pytest.mark.postgres
def test_sessions_killed_under_the_server_are_replaced_without_a_failed_request(proxied):
    live = proxied
    flow = call(live, "POST", "/flows/", {"name": "terminated"}).body["id"]
    warm(live)
    since = log_size(live)

    assert terminate_sessions(live) >= 2  # the HTTP threads' and the events listener's

    statuses = [call(live, "POST", "/flow_runs/", {"flow_id": flow}).status for _ in range(6)]
    statuses += [call(live, "POST", "/flow_runs/filter", {"limit": 1}).status for _ in range(6)]
    assert statuses == [201] * 6 + [200] * 6
    assert not [line for line in new_lines(live, since) if OUR_LINE in line]


@pytest.mark.postgres
def test_events_out_closes_1013_while_the_database_is_unreachable_then_streams_again(proxied):
    live, proxy = proxied, proxied.proxy
    assert proxy is not None
    since = log_size(live)
    proxy.cut()
    try:
        with open_socket(live, "/events/out") as ws:
            ws.send(json.dumps({"type": "filter", "filter": live_filter()}))
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=30)
        lines = new_lines(live, since)
    finally:
        proxy.restore()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        1013,
        "Live stream unavailable, reconnect",
    )
    assert not [line for line in lines if line[:1].isspace() or "Traceback" in line], lines

    name = unique("test.outage")
    with open_socket(live, "/events/out") as ws:
        ws.send(json.dumps({"type": "filter", "filter": live_filter(event={"prefix": [name]})}))
        sent = event(name)
        with open_socket(live, "/events/in") as sender:
            sender.send(json.dumps(sent))
            checkpoint(sender)
        assert receive_json(ws, timeout=30)["event"]["id"] == sent["id"]
