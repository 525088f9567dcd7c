"""`/work_pools/`: pools (create, read, filter, count, update, delete) and worker polling
(spec/work_pools.md §3, §5)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.wire.body import field_body, model_body
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit
from flowruns.models import WorkQueue

from ...selectors import pools_count, pools_page
from ...services.polling import queues_polled, scheduled_flow_runs_claim
from ...services.pools import work_pool_create, work_pool_delete, work_pool_update
from ...services.queues import queue_not_found
from .. import schemas as s
from ..render import pool_out, pools_out, worker_flow_run_out
from .lookups import pool_or_404


@extend_schema(tags=["Work Pools"])
class WorkPoolViewSet(PrefectViewSet):
    @extend_schema(
        request=s.WorkPoolCreate, responses=r.answers({201: s.WorkPoolOut}, 404, 409, 422)
    )
    def create(self, request: Request) -> Response:
        """Create a work pool and its default queue."""
        body = model_body(request, s.WorkPoolCreate)
        fields = body.model_dump(mode="json")
        pool = work_pool_create(**fields)
        return Response(pool_out(pool), status=201)

    @extend_schema(responses=r.answers({200: s.WorkPoolOut}, 404))
    def retrieve(self, request: Request, name: str) -> Response:
        """Read a work pool by name."""
        return Response(pool_out(pool_or_404(name)))

    @extend_schema(request=s.WorkPoolFilterBody, responses=r.answers({200: s.WorkPoolOutList}, 422))
    def filter(self, request: Request) -> Response:
        """List work pools matching a filter."""
        body = field_body(request, s.WorkPoolFilterBody)
        pools = pools_page(where=body.q(), limit=check_limit(body.limit), offset=body.offset)
        return Response(pools_out(pools))

    @extend_schema(request=s.WorkPoolQuery, responses=r.answers({200: int}, 422))
    def count(self, request: Request) -> Response:
        """Count work pools matching a filter."""
        return Response(pools_count(where=field_body(request, s.WorkPoolQuery).q()))

    @extend_schema(request=s.WorkPoolUpdate, responses=r.answers({204: None}, 404, 422))
    def partial_update(self, request: Request, name: str) -> Response:
        """Update a work pool's description, pause, job template, limit or storage settings."""
        body = model_body(request, s.WorkPoolUpdate)
        work_pool_update(pool=pool_or_404(name), changes=body.changes())
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, name: str) -> Response:
        """Delete a work pool with its queues and workers."""
        work_pool_delete(pool=pool_or_404(name))
        return Response(status=204)

    @extend_schema(
        request=s.ScheduledRunsBody,
        responses=r.answers({200: s.WorkerFlowRunOutList}, 404, 422),
        summary="Worker polling: scheduled runs of the pool's queues, each handed out once",
    )
    def get_scheduled_flow_runs(self, request: Request, name: str) -> Response:
        body = field_body(request, s.ScheduledRunsBody)
        limit = check_limit(body.limit)
        pool = pool_or_404(name)
        queues = list(WorkQueue.objects.filter(work_pool=pool).order_by("priority", "name"))
        if body.work_queue_names:
            by_name = {q.name: q for q in queues}
            for queue_name in body.work_queue_names:
                if queue_name not in by_name:
                    raise queue_not_found(name, queue_name)
            queues = [q for q in queues if q.name in set(body.work_queue_names)]
        for queue in queues:
            queue.work_pool = pool
        now = timezone.now()
        handed = scheduled_flow_runs_claim(
            pool=pool,
            queues=queues,
            scheduled_before=body.scheduled_before,
            scheduled_after=body.scheduled_after,
            limit=limit,
            now=now,
        )
        queues_polled(queues=queues, now=now)
        return Response([worker_flow_run_out(h, now) for h in handed])
