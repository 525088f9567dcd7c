"""The `X-PREFECT-API-VERSION` header check applied to every API route (spec/api.md §1.6)."""

from __future__ import annotations

import re

from django.conf import settings
from rest_framework.request import Request

from .errors import DetailError

_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_USER_AGENT = re.compile(r"^prefect/(\d+\.\d+\.\d+(?:[a-z.+0-9]+)?) \(API \S+\)$")

ApiVersion = tuple[int, int, int]


def api_version(request: Request) -> ApiVersion | None:
    """The client's API version, None when absent; a malformed or too-old one is a 400."""
    raw = request.headers.get("X-Prefect-Api-Version", "")
    if not raw:
        return None
    if not _VERSION.match(raw):
        raise DetailError(
            400,
            "Invalid X-PREFECT-API-VERSION header format."
            f"Expected header in format 'x.y.z' but received {raw}",
        )
    major, minor, patch = (int(part) for part in raw.split("."))
    version = (major, minor, patch)
    minimum = settings.PREFECT_MIN_CLIENT_API_VERSION
    if version < minimum:
        required = ".".join(str(p) for p in minimum)
        raise DetailError(
            400,
            f"The request specified API version {raw} but this server requires version "
            f"{required} or higher.",
        )
    return version


def client_version(request: Request) -> str | None:
    """The prefect package version from a `prefect/x.y.z (API a.b.c)` User-Agent."""
    match = _USER_AGENT.match(request.headers.get("User-Agent", ""))
    return match.group(1) if match else None
