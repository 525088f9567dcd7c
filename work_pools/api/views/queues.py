"""`/work_pools/{work_pool_name}/queues`: a pool's queues by name (spec/work_pools.md §4)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.wire.body import field_body, model_body
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit

from ...selectors import queues_page
from ...services.queues import work_queue_create, work_queue_delete, work_queue_update
from .. import schemas as s
from ..render import queue_out, queues_out
from .lookups import pool_or_404, queue_or_404


@extend_schema(tags=["Work Pools"])
class WorkPoolQueueViewSet(PrefectViewSet):
    @extend_schema(
        request=s.WorkQueueCreate, responses=r.answers({201: s.WorkQueueOut}, 404, 409, 422)
    )
    def create(self, request: Request, work_pool_name: str) -> Response:
        """Create a queue in a work pool."""
        body = model_body(request, s.WorkQueueCreate)
        pool = pool_or_404(work_pool_name)
        queue = work_queue_create(pool=pool, **body.model_dump(mode="json"))
        return Response(queue_out(queue), status=201)

    @extend_schema(responses=r.answers({200: s.WorkQueueOut}, 404))
    def retrieve(self, request: Request, work_pool_name: str, name: str) -> Response:
        """Read a work pool's queue by name."""
        return Response(queue_out(queue_or_404(work_pool_name, name)))

    @extend_schema(
        request=s.WorkQueueFilterBody, responses=r.answers({200: s.WorkQueueOutList}, 404, 422)
    )
    def filter(self, request: Request, work_pool_name: str) -> Response:
        """List a work pool's queues, by priority."""
        body = field_body(request, s.WorkQueueFilterBody)
        limit = check_limit(body.limit)
        pool = pool_or_404(work_pool_name)
        queues = queues_page(where=body.q(), limit=limit, offset=body.offset, pool=pool)
        return Response(queues_out(queues))

    @extend_schema(request=s.WorkQueueUpdate, responses=r.answers({204: None}, 404, 409, 422))
    def partial_update(self, request: Request, work_pool_name: str, name: str) -> Response:
        """Update a work pool's queue (name, description, pause, limit, priority)."""
        body = model_body(request, s.WorkQueueUpdate)
        pool_or_404(work_pool_name)
        work_queue_update(queue=queue_or_404(work_pool_name, name), changes=body.changes())
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404, 409))
    def destroy(self, request: Request, work_pool_name: str, name: str) -> Response:
        """Delete a work pool's queue (not its default queue)."""
        pool_or_404(work_pool_name)
        work_queue_delete(queue=queue_or_404(work_pool_name, name))
        return Response(status=204)
