"""The access settings, read on each use (cheap) so tests can override them."""

from __future__ import annotations

import os

from django.conf import settings


def auth_string() -> str | None:
    """Prefect's shared password: the `PREFECT_SERVER_API_AUTH_STRING` setting if defined,
    else the environment variable of that name. Empty means unset (auth.md §1)."""
    value = getattr(settings, "PREFECT_SERVER_API_AUTH_STRING", None)
    if value is None:
        value = os.environ.get("PREFECT_SERVER_API_AUTH_STRING")
    return value or None


def auth_required() -> bool:
    """Whether every API request (but GET health/ready) must authenticate: always with an
    auth string, else when `API_AUTH_REQUIRED` is on (API keys only)."""
    return auth_string() is not None or bool(getattr(settings, "API_AUTH_REQUIRED", False))
