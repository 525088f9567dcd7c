"""Middleware: a request's database health check without a round trip when the connection is
quiet.

With `CONN_HEALTH_CHECKS`, Django checks a persistent connection with `SELECT 1` before the
first query of every request: a round trip, which cost ~0.3 ms of a ~1.5 ms read over HTTP
here (bench/README.md, "Per-request costs outside our Python").

An idle connection that PostgreSQL has closed (a restart, `pg_terminate_backend`,
`idle_session_timeout`) has its end of file, and usually the error that preceded it, waiting
on its socket; so has one to which the server sent anything unasked. An idle connection with
nothing waiting is as healthy as `SELECT 1` could show: a silent network failure fails both
alike, by timeout. So at the start of a request, a PostgreSQL connection that is idle, not
known broken and has nothing waiting is marked checked; any other gets Django's check as
before, which closes it if it fails (the request's first query then opens a new one).

The window this leaves: a session killed so recently that its hang-up has not reached the
socket yet looks quiet, and the request's first statement fails (503). Django's check has the
same window between its `SELECT 1` and that statement, only shorter by one round trip.

First in MIDDLEWARE: it runs after `request_started`, whose `close_old_connections` is what
marks connections unchecked (a signal receiver could run before it, depending on the order
receivers were connected in).
"""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse


class QuietConnectionsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        quiet_connections_checked()
        return self.get_response(request)


def quiet_connections_checked() -> None:
    for wrapper in connections.all(initialized_only=True):
        connection: Any = wrapper  # health_check_* are not in django-stubs
        if (
            connection.vendor == "postgresql"
            and connection.connection is not None
            and connection.health_check_enabled
            and not connection.health_check_done
            and _quiet(connection.connection)
        ):
            connection.health_check_done = True


def _quiet(raw: Any) -> bool:
    """Idle, not known broken, and nothing to read on the socket (psycopg connection)."""
    from psycopg.pq import TransactionStatus

    if raw.closed or raw.broken or raw.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([raw.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
