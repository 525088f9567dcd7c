"""Authentication and authorisation of every `/api` request, before routing (auth.md §6.1).

With authentication on (`PREFECT_SERVER_API_AUTH_STRING`, or `API_AUTH_REQUIRED` for API keys
only) every request under `/api` but `GET /api/health` and `GET /api/ready` must carry a
credential (`credentials`), else 401 exactly as Prefect answers it; a credential whose user
lacks the route's level (`routes`) gets 403. Off, the `Authorization` header is ignored, as
Prefect's server ignores it. Either way the request runs as its actor (`actors`), which the
state-write path and the deletion log record; admin pages run as `admin:<username>`.

Placed after Django's AuthenticationMiddleware (only the admin reads `request.user`; its
session is never touched for `/api`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse

from .actors import acting_as, admin_actor
from .config import auth_required
from .credentials import Principal, from_authorization
from .levels import PERMISSIONS, Level
from .routes import required_level

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
UNAUTHENTICATED = ("health", "ready")  # GET only, exact paths (auth.md §2)
# Prefect's exact 401: 36 bytes, no WWW-Authenticate header (the client looks for the word).
UNAUTHORIZED_BODY = b'{"exception_message":"Unauthorized"}'


class ApiAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(API_PREFIX) and path != "/api":
            return self._outside_api(request)
        relative = path[len(API_PREFIX) :]
        method = request.method or "GET"
        principal: Principal | None = None
        if auth_required() and not (method == "GET" and relative in UNAUTHENTICATED):
            header = request.META.get("HTTP_AUTHORIZATION")
            try:
                principal = from_authorization(header) if header else None
            except DatabaseError:  # an API key cannot be checked while the database is away
                logger.warning("API key check failed: database unavailable")
                return unavailable()
            if principal is None:
                return unauthorized()
            needed = required_level(method, relative)
            if principal.level < needed:
                return forbidden(principal, needed)
        request.api_principal = principal  # type: ignore[attr-defined]
        with acting_as(principal.actor if principal is not None else None):
            return self.get_response(request)

    def _outside_api(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.path_info.startswith("/admin/") and user is not None and user.is_authenticated:
            with acting_as(admin_actor(user.get_username())):
                return self.get_response(request)
        return self.get_response(request)


def unauthorized() -> HttpResponse:
    return HttpResponse(UNAUTHORIZED_BODY, status=401, content_type="application/json")


def unavailable() -> HttpResponse:
    """503, which the Prefect client retries (a 500 it would not)."""
    response = JsonResponse({"exception_message": "Service Unavailable"}, status=503)
    response["Retry-After"] = "5"
    return response


def forbidden(principal: Principal, needed: Level) -> HttpResponse:
    detail = (
        f"{principal.actor} may not use this route: it needs the "
        f"access.{PERMISSIONS[needed]} permission ({needed.label} access)."
    )
    return JsonResponse({"detail": detail}, status=403)
