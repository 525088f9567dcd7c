"""Concurrency-slot routes the client calls (`/v2/concurrency_limits/...`).

This server has no concurrency limits, neither tag limits (`tag:<name>`) nor global ones, so
there is never anything to occupy: every acquisition succeeds at once with an empty `limits`
list, and releases and renewals have nothing to do. That is the answer Prefect itself gives
when none of the requested names exists, and it is what the client needs to run tasks that
carry tags (`POST .../increment-with-lease`; spec/client.md §8.2). With an empty `limits` the
client neither renews nor releases the lease, but both routes answer success in case it does.

The renew route also renews deployment-concurrency leases (stored rows with an expiry; the
flow engine renews the id on its run's state and stops the run when renewal answers 410):
204 for a live one, 410 for one that lapsed (reaped or not yet). Any other id answers 204 as
before: the empty leases granted here, and deployment leases their run released itself (an
automatic retry or a pause releases the slot while the engine keeps renewing; answering 410
would stop a healthy run).

Bodies are validated as Prefect validates them (schemas/concurrency.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from pydantic import BaseModel
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
from flowruns.api.schemas.responses.errors import ErrorDetail
from flowruns.api.wire.body import field_body
from flowruns.api.wire.views import PrefectViewSet
from flowruns.services.concurrency import Renewal, lease_renew

from .routes import ViewMethod

LEASE_GONE = "Lease not found - it may have expired or been revoked"
_NO_LIMITS = "This server has no concurrency limits (no tag or global limits), so"


def _no_limits_route(
    body: type[BaseModel], answer: list[Any] | None, summary: str, why: str
) -> ViewMethod:
    """A route that validates `body` and, there being no limits, always answers the same:
    an empty list of limits (`answer=[]`), or an empty 204 (`answer=None`)."""
    status, documented = (204, None) if answer is None else (200, r.MinimalLimitOutList)

    @extend_schema(
        request=body,
        responses=r.answers({status: documented}, 422),
        summary=summary,
        description=f"{_NO_LIMITS} {why}",
    )
    def route(view: PrefectViewSet, request: Request, **path: Any) -> Response:
        field_body(request, body)
        return Response(None if answer is None else list(answer), status=status)

    return route


@extend_schema(tags=["concurrency_limits"])
class ConcurrencyLimitViewSet(PrefectViewSet):
    @extend_schema(
        request=IncrementWithLeaseBody,
        responses=r.answers({200: r.LeaseOut}, 422),
        summary="Occupy concurrency slots under a lease",
        description=f"{_NO_LIMITS} the slots are always granted: a new lease id and an empty "
        "`limits` list. The lease is not stored.",
    )
    def increment_with_lease(self, request: Request) -> Response:
        field_body(request, IncrementWithLeaseBody)
        return Response({"lease_id": str(uuid.uuid4()), "limits": []})

    decrement_with_lease = _no_limits_route(
        DecrementWithLeaseBody,
        None,
        "Release the slots of a lease",
        "a lease holds nothing and releasing it always succeeds.",
    )

    @extend_schema(
        request=RenewLeaseBody,
        responses=r.answers({204: None, 410: ErrorDetail}, 422),
        summary="Renew a lease",
        description="A deployment-concurrency lease that is still live is extended to now + "
        "`lease_duration` (204); one that lapsed (whether or not the lease reaper deleted it "
        "yet) answers 410. Any other lease answers 204 with nothing to renew: one its run "
        f"released (retry, pause), or one granted by `increment-with-lease`. {_NO_LIMITS} "
        "such a lease holds nothing.",
    )
    def renew_lease(self, request: Request, lease_id: UUID) -> Response:
        body = field_body(request, RenewLeaseBody)
        duration = timedelta(seconds=body.lease_duration)
        if lease_renew(lease_id=lease_id, duration=duration) is Renewal.LOST:
            return Response({"detail": LEASE_GONE}, status=410)
        return Response(None, status=204)

    increment = _no_limits_route(
        IncrementBody,
        [],
        "Occupy concurrency slots (no lease)",
        "the slots are always granted and the list of limits that were occupied is empty.",
    )
    decrement = _no_limits_route(
        DecrementBody,
        [],
        "Release concurrency slots (no lease)",
        "there is nothing to release and the list is empty.",
    )
