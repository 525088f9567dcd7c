"""The database is unavailable: answer 503 with `Retry-After`, log one line.

The Prefect client retries 503 (and 408, 429, 502), waiting `Retry-After` seconds, but not 500;
so a lost or refused connection, PostgreSQL shutting down or restarting, too many connections,
a deadlock or serialisation failure, and SQLite's busy lock are a 503 the client rides out.
Everything else stays a 500. The broken connection itself is discarded by Django at the end
of the request (`close_old_connections`; `CONN_HEALTH_CHECKS` tests a reused one before its
first query), so the next request after the database returns opens a new one.

One place maps it, `response_for`: DRF's exception handler (`wire.errors`) calls it, and so
does `config.urls.handler500` for everything outside DRF (the admin, middleware).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from flowruns.outages import database_unavailable, first_line

logger = logging.getLogger(__name__)

BODY = {"exception_message": "Service Unavailable"}


def log_unavailable(request: HttpRequest | None, exc: BaseException) -> None:
    """The one line an outage leaves per request: no traceback, no chained causes."""
    where = f"{request.method} {request.path}" if request is not None else "request"
    logger.warning("Database unavailable, answered 503 to %s: %s", where, first_line(exc))


def retry_later(response: HttpResponse) -> HttpResponse:
    """Tell the client when to retry; and mark the response logged, since Django's request
    logger would add a second line (`Service Unavailable: /api/...`) to ours."""
    response._has_been_logged = True  # type: ignore[attr-defined]
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER)
    return response


def response_for(request: HttpRequest | None, exc: BaseException | None) -> JsonResponse | None:
    """The 503 for a database outage, or None when `exc` is not one."""
    if exc is None or not database_unavailable(exc):
        return None
    log_unavailable(request, exc)
    response = JsonResponse(BODY, status=503, json_dumps_params={"separators": (",", ":")})
    retry_later(response)
    return response
