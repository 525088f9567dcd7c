"""Concurrency-limit routes (included under /api by flowruns.api.urls, which registers
`puuid`): global limits under /v2/concurrency_limits, tag limits under /concurrency_limits."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .tag_views import TagConcurrencyLimitViewSet
from .views import ConcurrencyLimitViewSet

limits = ConcurrencyLimitViewSet.as_view
tags = TagConcurrencyLimitViewSet.as_view

V2 = "v2/concurrency_limits"
V1 = "concurrency_limits"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{V2}/", limits({"post": "create"})),
    path(V2, limits({"post": "create"})),
    path(f"{V2}/filter", limits({"post": "filter"})),
    path(f"{V2}/increment-with-lease", limits({"post": "increment_with_lease"})),
    path(f"{V2}/decrement-with-lease", limits({"post": "decrement_with_lease"})),
    path(f"{V2}/leases/<puuid:lease_id>/renew", limits({"post": "renew_lease"})),
    path(f"{V2}/increment", limits({"post": "increment"})),
    path(f"{V2}/decrement", limits({"post": "decrement"})),
    path(
        f"{V2}/<str:id_or_name>",
        limits({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
    path(f"{V1}/", tags({"post": "create"})),
    path(V1, tags({"post": "create"})),
    path(f"{V1}/filter", tags({"post": "filter"})),
    path(f"{V1}/increment", tags({"post": "increment"})),
    path(f"{V1}/decrement", tags({"post": "decrement"})),
    path(f"{V1}/tag/<str:tag>/reset", tags({"post": "reset"})),
    path(f"{V1}/tag/<str:tag>", tags({"get": "retrieve_by_tag", "delete": "destroy_by_tag"})),
    path(f"{V1}/<puuid:id>", tags({"get": "retrieve", "delete": "destroy"})),
]
