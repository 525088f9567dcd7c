"""`/concurrency_limits/…` (v1): tag limits, an adapter over the global limit `tag:<tag>`
(spec/concurrency.md §5), as used by `prefect concurrency-limit create/ls/inspect/reset/delete`.
"""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from concurrency.models import ConcurrencyLimitV2
from concurrency.services.decay import TAG_PREFIX
from concurrency.services.limits import (
    FOREVER,
    tag_limit_delete,
    tag_limit_name,
    tag_limit_reset,
    tag_limit_upsert,
    task_run_leases_release,
)
from concurrency.services.slots import LeaseRequest, slots_take
from flowruns.api.schemas import responses as r
from flowruns.api.schemas.responses.errors import ErrorDetail
from flowruns.api.wire.body import field_body, model_body
from flowruns.api.wire.errors import DetailError
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit

from . import schemas as s
from .render import limit_minimal, tag_limit, tag_limits

NOT_FOUND = "Concurrency limit not found"
ZERO = 'The concurrency limit on tag "{tag}" is 0 and will deadlock if the task tries to run again.'
REACHED = "Concurrency limit for the {tag} tag has been reached"


def _by_tag(tag: str) -> ConcurrencyLimitV2:
    limit = ConcurrencyLimitV2.objects.filter(name=tag_limit_name(tag)).first()
    if limit is None:
        raise DetailError(404, NOT_FOUND)
    return limit


def _by_id(limit_id: UUID) -> ConcurrencyLimitV2:
    limit = ConcurrencyLimitV2.objects.filter(pk=limit_id, name__startswith=TAG_PREFIX).first()
    if limit is None:
        raise DetailError(404, NOT_FOUND)
    return limit


@extend_schema(tags=["concurrency_limits (tags)"])
class TagConcurrencyLimitViewSet(PrefectViewSet):
    @extend_schema(
        request=s.TagLimitCreate,
        responses=r.answers({200: s.TagLimitOut, 201: s.TagLimitOut}, 422),
        summary="Create or update the limit of a tag",
    )
    def create(self, request: Request) -> Response:
        body = model_body(request, s.TagLimitCreate)
        limit, created = tag_limit_upsert(body.tag, body.concurrency_limit)
        return Response(tag_limit(limit), status=201 if created else 200)

    @extend_schema(responses=r.answers({200: s.TagLimitOut}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        """A tag's concurrency limit, by id."""
        return Response(tag_limit(_by_id(id)))

    @extend_schema(responses=r.answers({200: s.TagLimitOut}, 404))
    def retrieve_by_tag(self, request: Request, tag: str) -> Response:
        """A tag's concurrency limit, by tag."""
        return Response(tag_limit(_by_tag(tag)))

    @extend_schema(request=s.PageBody, responses=r.answers({200: s.TagLimitOutList}, 422))
    def filter(self, request: Request) -> Response:
        """Tag concurrency limits, with limit and offset."""
        body = field_body(request, s.PageBody)
        limit = check_limit(body.limit)
        rows = ConcurrencyLimitV2.objects.filter(name__startswith=TAG_PREFIX).order_by("name")
        return Response(tag_limits(list(rows[body.offset : body.offset + limit])))

    @extend_schema(request=s.TagResetBody, responses=r.answers({200: None}, 404, 422))
    def reset(self, request: Request, tag: str) -> Response:
        """Reset a tag limit's slots, optionally to the given task runs."""
        body = field_body(request, s.TagResetBody)
        tag_limit_reset(_by_tag(tag), body.slot_override)
        return Response(None, status=200)

    @extend_schema(responses=r.answers({200: None}, 404))
    def destroy(self, request: Request, id: UUID) -> Response:
        """Delete a tag's concurrency limit, by id."""
        tag_limit_delete(_by_id(id))
        return Response(None, status=200)

    @extend_schema(responses=r.answers({200: None}, 404))
    def destroy_by_tag(self, request: Request, tag: str) -> Response:
        """Delete a tag's concurrency limit, by tag."""
        tag_limit_delete(_by_tag(tag))
        return Response(None, status=200)

    @extend_schema(
        request=s.TagSlotsBody,
        responses=r.answers({200: s.MinimalLimitOutList, 423: ErrorDetail}, 422),
        summary="Legacy: take one slot of each tag for a task run",
    )
    def increment(self, request: Request) -> Response:
        body = field_body(request, s.TagSlotsBody)
        names = [tag_limit_name(tag) for tag in body.names]
        limits = ConcurrencyLimitV2.objects.filter(name__in=names).order_by("name")
        for limit in limits:
            if limit.limit == 0:
                raise DetailError(423, ZERO.format(tag=limit.name.removeprefix(TAG_PREFIX)))
        lease = LeaseRequest(FOREVER, holder_type="task_run", holder_id=body.task_run_id)
        taken = slots_take(names=names, slots=1, lease=lease)
        if not taken.granted:
            full = next((lim for lim in taken.limits if lim.active), taken.limits[0])
            response = Response(
                {"detail": REACHED.format(tag=full.name.removeprefix(TAG_PREFIX))}, status=423
            )
            response["Retry-After"] = "10"
            return response
        active = [lim for lim in taken.limits if lim.active]
        return Response([limit_minimal(lim, lim.name.removeprefix(TAG_PREFIX)) for lim in active])

    @extend_schema(
        request=s.TagSlotsBody,
        responses=r.answers({200: s.MinimalLimitOutList}, 422),
        summary="Legacy: give back a task run's slots",
    )
    def decrement(self, request: Request) -> Response:
        body = field_body(request, s.TagSlotsBody)
        names = [tag_limit_name(tag) for tag in body.names]
        limits = list(ConcurrencyLimitV2.objects.filter(name__in=names).order_by("name"))
        task_run_leases_release(limits, body.task_run_id)
        return Response([limit_minimal(limit) for limit in limits])
