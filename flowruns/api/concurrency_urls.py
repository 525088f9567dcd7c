"""Concurrency-slot routes (included under /api by flowruns.api.urls, which registers `puuid`).

No tag or global concurrency limits exist on this server; see views/concurrency.py.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .views.concurrency import ConcurrencyLimitViewSet

limits = ConcurrencyLimitViewSet.as_view

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "v2/concurrency_limits/increment-with-lease",
        limits({"post": "increment_with_lease"}),
    ),
    path(
        "v2/concurrency_limits/decrement-with-lease",
        limits({"post": "decrement_with_lease"}),
    ),
    path(
        "v2/concurrency_limits/leases/<puuid:lease_id>/renew",
        limits({"post": "renew_lease"}),
    ),
    path("v2/concurrency_limits/increment", limits({"post": "increment"})),
    path("v2/concurrency_limits/decrement", limits({"post": "decrement"})),
]
