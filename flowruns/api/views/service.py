"""Service routes the client probes: health, versions and the CSRF token."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.wire import unavailable
from flowruns.api.wire.views import PrefectViewSet
from flowruns.selectors.database import database_answers


class ServiceViewSet(PrefectViewSet):
    @extend_schema(responses={200: bool}, summary="Health check")
    def health(self, request: Request) -> Response:
        return Response(True)

    @extend_schema(responses={200: str}, summary="Server API version")
    def version(self, request: Request) -> Response:
        return Response(settings.PREFECT_API_VERSION)

    @extend_schema(responses={200: str}, summary="Server version (checked by the client)")
    def admin_version(self, request: Request) -> Response:
        return Response(settings.PREFECT_SERVER_VERSION)

    @extend_schema(responses={200: str})
    def hello(self, request: Request) -> Response:
        """A greeting: the API answers."""
        return Response("\N{WAVING HAND SIGN}")

    @extend_schema(
        responses={200: dict, 503: dict},
        summary="Readiness check",
        description="200 when the database answers, else 503 with `Retry-After` (unlike "
        "`health`, which never touches the database).",
    )
    def ready(self, request: Request) -> HttpResponse:
        error = database_answers()
        if error is None:
            return Response({"message": "OK"})
        unavailable.log_unavailable(request, error)
        response = Response({"message": "Database is not available"}, status=503)
        return unavailable.retry_later(response)

    @extend_schema(
        responses={422: dict},
        summary="CSRF token",
        description="CSRF protection is off (the API is stateless, with no cookies), which the "
        "client recognises by this exact 422 and then sends no CSRF headers.",
    )
    def csrf_token(self, request: Request) -> Response:
        return Response({"detail": "CSRF protection is disabled."}, status=422)
