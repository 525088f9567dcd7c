"""Optional request throttling (DRF's), off unless `API_THROTTLE_RATE` is set.

One bucket per client: an API key's prefix, else the client's address (DRF's `get_ident`:
`REMOTE_ADDR`, or `X-Forwarded-For` with `NUM_PROXIES`). The rate is DRF's syntax, `600/min`,
`20/second`, `10000/day`. Over it: 429 with `Retry-After`, which the Prefect client waits out
and retries. `GET /api/health` and `/api/ready` are never throttled. Counts live in Django's
cache (per process by default: with N workers a client may get up to N times the rate).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

EXEMPT_PATHS = ("/api/health", "/api/ready")


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_THROTTLE_RATE", None) or None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.path in EXEMPT_PATHS:
            return None
        principal = getattr(request._request, "api_principal", None)
        prefix = getattr(principal, "key_prefix", None)
        ident = f"key:{prefix}" if prefix else f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttled_response(exc: Throttled) -> Response:
    """429 as the client expects it: a `detail` and the seconds to wait in `Retry-After`."""
    wait: float | None = getattr(exc, "wait", None)
    headers = {"Retry-After": str(max(1, math.ceil(wait)))} if wait is not None else None
    return Response({"detail": str(exc.detail)}, status=429, headers=headers)
