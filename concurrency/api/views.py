"""`/v2/concurrency_limits/…`: global limits (CRUD by id or name, filter) and their slots
(increment, decrement, with or without a lease, lease renewal). Spec/concurrency.md §0.1-3.

The renew route is shared with deployment-concurrency leases (flowruns.services.concurrency):
a global-limit lease that still exists is extended (204; even past its expiry until reaped,
as Prefect); one the reaper freed answers 410; otherwise the deployment leases decide, and
an id unknown to both answers 204, as before (a deployment lease its own run released must
not stop that healthy run).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from concurrency.models import ConcurrencyLimitV2
from concurrency.services.limits import limit_create, limit_delete, limit_update
from concurrency.services.reaping import lease_was_reaped
from concurrency.services.slots import (
    Acquisition,
    LeaseRequest,
    lease_extend,
    lease_release,
    slots_release,
    slots_take,
)
from flowruns.api.schemas import responses as r
from flowruns.api.schemas.responses.errors import ErrorDetail
from flowruns.api.wire.body import field_body, model_body
from flowruns.api.wire.errors import DetailError
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit
from flowruns.services.concurrency import Renewal, lease_renew

from . import schemas as s
from .render import limit_full, limit_minimal, limit_read

NOT_FOUND = "Concurrency Limit not found"
LEASE_GONE = "Lease not found - it may have expired or been revoked"


def limit_lookup(id_or_name: str) -> ConcurrencyLimitV2:
    """A segment that parses as a UUID is an id, anything else a name."""
    try:
        lookup: dict[str, object] = {"pk": UUID(id_or_name)}
    except ValueError:
        lookup = {"name": id_or_name}
    limit = ConcurrencyLimitV2.objects.filter(**lookup).first()
    if limit is None:
        raise DetailError(404, NOT_FOUND)
    return limit


def refused(acquisition: Acquisition) -> Response:
    response = Response({"detail": "Locked"}, status=423)
    response["Retry-After"] = str(acquisition.retry_after)
    return response


@extend_schema(tags=["concurrency_limits"])
class ConcurrencyLimitViewSet(PrefectViewSet):
    @extend_schema(request=s.LimitCreate, responses=r.answers({201: s.LimitFullOut}, 409, 422))
    def create(self, request: Request) -> Response:
        """Create a global concurrency limit (409 if the name is taken)."""
        body = model_body(request, s.LimitCreate)
        return Response(limit_full(limit_create(**body.model_dump())), status=201)

    @extend_schema(responses=r.answers({200: s.LimitOut}, 404))
    def retrieve(self, request: Request, id_or_name: str) -> Response:
        """A global concurrency limit, by id or name."""
        return Response(limit_read(limit_lookup(id_or_name)))

    @extend_schema(request=s.LimitUpdate, responses=r.answers({204: None}, 404, 409, 422))
    def partial_update(self, request: Request, id_or_name: str) -> Response:
        """Update a global concurrency limit, by id or name."""
        body = model_body(request, s.LimitUpdate)
        fields = body.model_dump(exclude_unset=True)
        limit_update(limit_lookup(id_or_name), **{k: v for k, v in fields.items() if v is not None})
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id_or_name: str) -> Response:
        """Delete a global concurrency limit, by id or name."""
        limit_delete(limit_lookup(id_or_name))
        return Response(status=204)

    @extend_schema(request=s.PageBody, responses=r.answers({200: s.LimitOutList}, 422))
    def filter(self, request: Request) -> Response:
        """Global concurrency limits, by name, with limit and offset."""
        body = field_body(request, s.PageBody)
        limit = check_limit(body.limit)
        rows = ConcurrencyLimitV2.objects.order_by("name")[body.offset : body.offset + limit]
        return Response([limit_read(row) for row in rows])

    @extend_schema(
        request=s.IncrementBody,
        responses=r.answers({200: s.MinimalLimitOutList, 423: ErrorDetail}, 422),
        summary="Occupy slots without a lease (rate limits)",
    )
    def increment(self, request: Request) -> Response:
        body = field_body(request, s.IncrementBody)
        taken = slots_take(names=body.names, slots=body.slots, mode=body.mode)
        if not taken.granted:
            return refused(taken)
        return Response([limit_minimal(limit) for limit in taken.limits])

    @extend_schema(
        request=s.IncrementWithLeaseBody,
        responses=r.answers({200: s.LeaseOut, 423: ErrorDetail}, 422),
        summary="Occupy slots under a lease",
    )
    def increment_with_lease(self, request: Request) -> Response:
        body = field_body(request, s.IncrementWithLeaseBody)
        holder = body.holder
        lease = LeaseRequest(
            duration=timedelta(seconds=body.lease_duration),
            holder_type=holder.type if holder else None,
            holder_id=holder.id if holder else None,
        )
        taken = slots_take(names=body.names, slots=body.slots, mode=body.mode, lease=lease)
        if not taken.granted:
            return refused(taken)
        lease_id = taken.lease_id or uuid.uuid4()
        return Response(
            {"lease_id": str(lease_id), "limits": [limit_minimal(lim) for lim in taken.limits]}
        )

    @extend_schema(
        request=s.DecrementBody,
        responses=r.answers({200: s.MinimalLimitOutList}, 422),
        summary="Give slots back by name",
    )
    def decrement(self, request: Request) -> Response:
        body = field_body(request, s.DecrementBody)
        limits = slots_release(
            names=body.names, slots=body.slots, occupancy_seconds=body.occupancy_seconds
        )
        return Response([limit_minimal(limit) for limit in limits])

    @extend_schema(
        request=s.DecrementWithLeaseBody,
        responses=r.answers({204: None}, 422),
        summary="Give a lease's slots back (an unknown lease: nothing to do)",
    )
    def decrement_with_lease(self, request: Request) -> Response:
        body = field_body(request, s.DecrementWithLeaseBody)
        lease_release(body.lease_id)
        return Response(status=204)

    @extend_schema(
        request=s.RenewLeaseBody,
        responses=r.answers({204: None, 410: ErrorDetail}, 422),
        summary="Renew a lease",
        description="A lease of global limits that still exists, or a live deployment-"
        "concurrency lease, is extended to now + `lease_duration` (204). A lease the reaper "
        "freed, or a lapsed deployment lease, answers 410. Any other id answers 204 with "
        "nothing to renew (a deployment lease its run released).",
    )
    def renew_lease(self, request: Request, lease_id: UUID) -> Response:
        body = field_body(request, s.RenewLeaseBody)
        duration = timedelta(seconds=body.lease_duration)
        if lease_extend(lease_id, duration):
            return Response(status=204)
        if lease_was_reaped(lease_id):
            return Response({"detail": LEASE_GONE}, status=410)
        if lease_renew(lease_id=lease_id, duration=duration) is Renewal.LOST:
            return Response({"detail": LEASE_GONE}, status=410)
        return Response(status=204)
