"""The error bodies Prefect returns, and the one exception handler that produces them."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, IntegrityError, OperationalError
from django.http import Http404
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

logger = logging.getLogger(__name__)

__all__ = [
    "ApiError",
    "DetailError",
    "ObjectNotFound",
    "RequestValidationError",
    "exception_handler",
    "not_found",
]


def _is_retryable(exc: DatabaseError) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
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
    if isinstance(exc, OperationalError) and _is_retryable(exc):
        logger.warning("Retryable database error: %s", exc)
        return Response({"exception_message": "Service Unavailable"}, status=503)
    logger.exception("Unhandled error in %s", context.get("view"))
    return Response({"exception_message": "Internal Server Error"}, status=500)
