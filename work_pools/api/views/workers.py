"""`/work_pools/{work_pool_name}/workers/…`: heartbeats, the list, deletion, and the
websocket channel a WSGI server cannot offer (spec/work_pools.md §6)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.wire.body import field_body
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit

from ...selectors import workers_page
from ...services.workers import worker_delete, worker_heartbeat
from .. import schemas as s
from ..render import worker_out
from .lookups import pool_or_404


@extend_schema(tags=["Work Pools"])
class WorkerViewSet(PrefectViewSet):
    @extend_schema(request=s.HeartbeatBody, responses=r.answers({204: None}, 404, 422))
    def heartbeat(self, request: Request, work_pool_name: str) -> Response:
        """Record a worker heartbeat (the worker is created on its first one)."""
        body = field_body(request, s.HeartbeatBody)
        worker_heartbeat(
            pool=pool_or_404(work_pool_name),
            name=body.name,
            heartbeat_interval_seconds=body.heartbeat_interval_seconds,
        )
        return Response(status=204)

    @extend_schema(
        request=s.WorkerFilterBody, responses=r.answers({200: s.WorkerOutList}, 404, 422)
    )
    def filter(self, request: Request, work_pool_name: str) -> Response:
        """List a work pool's workers."""
        body = field_body(request, s.WorkerFilterBody)
        limit = check_limit(body.limit)
        pool = pool_or_404(work_pool_name)
        workers = workers_page(pool=pool, where=body.q(), limit=limit, offset=body.offset)
        return Response([worker_out(worker) for worker in workers])

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, work_pool_name: str, name: str) -> Response:
        """Forget a worker."""
        worker_delete(pool=pool_or_404(work_pool_name), name=name)
        return Response(status=204)

    @extend_schema(
        responses=r.answers({}, 404),
        summary="The worker websocket: not offered (404; the worker falls back to REST)",
    )
    def connect(self, request: Request, work_pool_name: str) -> Response:
        return Response({"detail": "Not Found"}, status=404)
