"""Concurrency-slot routes the client calls (`/v2/concurrency_limits/...`).

This server has no concurrency limits, neither tag limits (`tag:<name>`) nor global ones, so
there is never anything to occupy: every acquisition succeeds at once with an empty `limits`
list, and releases and renewals have nothing to do. That is the answer Prefect itself gives
when none of the requested names exists, and it is what the client needs to run tasks that
carry tags (`POST .../increment-with-lease`; spec/client.md §8.2). With an empty `limits` the
client neither renews nor releases the lease, but both routes answer success in case it does.

Bodies are validated as Prefect validates them (schemas/concurrency.py).
"""

from __future__ import annotations

import uuid
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.concurrency import (
    DecrementBody,
    DecrementWithLeaseBody,
    IncrementBody,
    IncrementWithLeaseBody,
    RenewLeaseBody,
)
from flowruns.api.wire.body import field_body
from flowruns.api.wire.views import PrefectViewSet

_NO_LIMITS = "This server has no concurrency limits (no tag or global limits), so"

TAGS = ["concurrency_limits"]


class ConcurrencyLimitViewSet(PrefectViewSet):
    @extend_schema(
        tags=TAGS,
        request=IncrementWithLeaseBody,
        responses={200: r.LeaseOut, 422: r.ValidationErrorResponse},
        summary="Occupy concurrency slots under a lease",
        description=f"{_NO_LIMITS} the slots are always granted: a new lease id and an empty "
        "`limits` list. The lease is not stored.",
    )
    def increment_with_lease(self, request: Request) -> Response:
        field_body(request, IncrementWithLeaseBody)
        return Response({"lease_id": str(uuid.uuid4()), "limits": []})

    @extend_schema(
        tags=TAGS,
        request=DecrementWithLeaseBody,
        responses={204: None, 422: r.ValidationErrorResponse},
        summary="Release the slots of a lease",
        description=f"{_NO_LIMITS} a lease holds nothing and releasing it always succeeds.",
    )
    def decrement_with_lease(self, request: Request) -> Response:
        field_body(request, DecrementWithLeaseBody)
        return Response(status=204)

    @extend_schema(
        tags=TAGS,
        request=RenewLeaseBody,
        responses={204: None, 422: r.ValidationErrorResponse},
        summary="Renew a lease",
        description=f"{_NO_LIMITS} leases are not stored and renewing one always succeeds.",
    )
    def renew_lease(self, request: Request, lease_id: UUID) -> Response:
        field_body(request, RenewLeaseBody)
        return Response(status=204)

    @extend_schema(
        tags=TAGS,
        request=IncrementBody,
        responses={200: r.MinimalLimitOutList, 422: r.ValidationErrorResponse},
        summary="Occupy concurrency slots (no lease)",
        description=f"{_NO_LIMITS} the slots are always granted and the list of limits that "
        "were occupied is empty.",
    )
    def increment(self, request: Request) -> Response:
        field_body(request, IncrementBody)
        return Response([])

    @extend_schema(
        tags=TAGS,
        request=DecrementBody,
        responses={200: r.MinimalLimitOutList, 422: r.ValidationErrorResponse},
        summary="Release concurrency slots (no lease)",
        description=f"{_NO_LIMITS} there is nothing to release and the list is empty.",
    )
    def decrement(self, request: Request) -> Response:
        field_body(request, DecrementBody)
        return Response([])
