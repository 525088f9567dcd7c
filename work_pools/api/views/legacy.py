"""`/work_queues/…`: the legacy id-based queue routes `prefect work-queue` uses
(spec/work_pools.md §7)."""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.serializers.flow_runs import FlowRunSerializer
from flowruns.api.wire.body import field_body, model_body
from flowruns.api.wire.errors import DetailError, ObjectNotFound
from flowruns.api.wire.views import PrefectViewSet
from flowruns.encoding import dt
from flowruns.filters.limits import check_limit

from ...selectors import queue_get_by_id, queue_get_legacy, queue_late_runs, queues_page, recently
from ...services.polling import queue_scheduled_runs, queues_polled
from ...services.queues import work_queue_create_legacy, work_queue_delete, work_queue_update
from .. import schemas as s
from ..render import queue_out, queues_out
from .lookups import queue_by_id_or_404

NOT_FOUND = "work queue not found"
POLICY = {"maximum_late_runs": 0, "maximum_seconds_since_last_polled": 60}


@extend_schema(tags=["Work Queues"])
class LegacyWorkQueueViewSet(PrefectViewSet):
    @extend_schema(request=s.WorkQueueCreate, responses=r.answers({201: s.WorkQueueOut}, 409, 422))
    def create(self, request: Request) -> Response:
        """Create a work queue in the default agent pool."""
        body = model_body(request, s.WorkQueueCreate)
        queue = work_queue_create_legacy(**body.model_dump(mode="json"))
        return Response(queue_out(queue), status=201)

    @extend_schema(responses=r.answers({200: s.WorkQueueOut}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        """Read a work queue by id."""
        return Response(queue_out(queue_by_id_or_404(id)))

    @extend_schema(responses=r.answers({200: s.WorkQueueOut}, 404))
    def retrieve_by_name(self, request: Request, name: str) -> Response:
        """Read a work queue of the default agent pool by name."""
        queue = queue_get_legacy(name)
        if queue is None:
            raise DetailError(404, NOT_FOUND)
        return Response(queue_out(queue))

    @extend_schema(request=s.WorkQueueUpdate, responses=r.answers({204: None}, 404, 409, 422))
    def partial_update(self, request: Request, id: UUID) -> Response:
        """Update a work queue by id."""
        body = model_body(request, s.WorkQueueUpdate)
        queue = queue_by_id_or_404(id, f"Work Queue {id} not found")
        work_queue_update(queue=queue, changes=body.changes())
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404, 409))
    def destroy(self, request: Request, id: UUID) -> Response:
        """Delete a work queue by id."""
        work_queue_delete(queue=queue_by_id_or_404(id))
        return Response(status=204)

    @extend_schema(
        request=s.WorkQueueFilterBody, responses=r.answers({200: s.WorkQueueOutList}, 422)
    )
    def filter(self, request: Request) -> Response:
        """List work queues matching a filter."""
        body = field_body(request, s.WorkQueueFilterBody)
        limit = check_limit(body.limit)
        return Response(queues_out(queues_page(where=body.q(), limit=limit, offset=body.offset)))

    @extend_schema(
        request=s.QueueRunsBody, responses=r.answers({200: r.FlowRunResponses}, 404, 422)
    )
    def get_runs(self, request: Request, id: UUID) -> Response:
        """Scheduled runs of a work queue."""
        body = field_body(request, s.QueueRunsBody)
        limit = check_limit(body.limit)
        queue = queue_by_id_or_404(id)
        now = timezone.now()
        runs = queue_scheduled_runs(
            queue=queue, limit=limit, scheduled_before=body.scheduled_before, now=now
        )
        if request.headers.get("X-Prefect-Ui", "").lower() != "true":
            queues_polled(queues=[queue], now=now)
        return Response(FlowRunSerializer(runs, many=True, context={"now": now}).data)

    @extend_schema(
        responses=r.answers({200: s.WorkQueueStatusOut}, 404, not_found=r.ExceptionMessage)
    )
    def status(self, request: Request, id: UUID) -> Response:
        """A work queue's health: ready or not, and when it was last polled."""
        queue = queue_get_by_id(id)
        if queue is None:
            raise ObjectNotFound(f"Work queue with id {id} not found")
        late = queue_late_runs(queue)
        healthy = late == 0 and recently(queue.last_polled, timezone.now())
        return Response(
            {
                "healthy": healthy,
                "late_runs_count": late,
                "last_polled": dt(queue.last_polled),
                "health_check_policy": POLICY,
            }
        )
