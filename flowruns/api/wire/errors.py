"""The error bodies Prefect returns, and the one exception handler that produces them."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

from access.throttling import throttled_response
from flowruns.errors import (
    INTEGRITY_MESSAGE,
    ApiError,
    DetailError,
    ObjectNotFound,
    RequestValidationError,
    not_found,
)

from .unavailable import response_for

logger = logging.getLogger(__name__)

__all__ = [
    "ApiError",
    "DetailError",
    "ObjectNotFound",
    "RequestValidationError",
    "exception_handler",
    "not_found",
]


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id(context: dict[str, Any]) -> str:
    """The caller's `X-Request-ID` (a proxy's) when it is a plain token, else a new one."""
    request = context.get("request")
    given = request.headers.get("X-Request-ID", "") if request is not None else ""
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def _server_error(exc: Exception, context: dict[str, Any]) -> Response:
    """One ERROR record (with the traceback) and a response carrying the same request id."""
    rid = request_id(context)
    request = context.get("request")
    where = f"{request.method} {request.path}" if request is not None else "?"
    logger.error("Internal Server Error: %s [request_id=%s]", where, rid, exc_info=exc)
    response = Response({"exception_message": "Internal Server Error"}, status=500)
    response["X-Request-ID"] = rid
    response._has_been_logged = True  # type: ignore[attr-defined]  # not twice by django.request
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse:
    if isinstance(exc, ApiError):
        return Response(exc.body(), status=exc.status_code)
    if isinstance(exc, drf_exceptions.MethodNotAllowed):
        return Response({"detail": "Method Not Allowed"}, status=405)
    if isinstance(exc, Http404 | drf_exceptions.NotFound):
        return Response({"detail": "Not Found"}, status=404)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "Request body is too large."}, status=413)
    if isinstance(exc, drf_exceptions.Throttled):
        return throttled_response(exc)
    if isinstance(exc, drf_exceptions.APIException):
        return Response({"detail": exc.detail}, status=exc.status_code)
    if isinstance(exc, IntegrityError):
        logger.warning("Integrity error: %s", exc)
        return Response({"detail": INTEGRITY_MESSAGE}, status=409)
    if (unavailable := response_for(context.get("request"), exc)) is not None:
        return unavailable
    return _server_error(exc, context)
