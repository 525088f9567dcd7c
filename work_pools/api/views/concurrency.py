"""`POST /work_pools/{name}/concurrency_status` and `POST /work_queues/{id}/concurrency_status`:
who holds the pool's and queues' slots (spec/work_pools.md §8, for the UI)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.wire.body import field_body
from flowruns.api.wire.errors import DetailError
from flowruns.api.wire.views import PrefectViewSet
from flowruns.encoding import dt
from flowruns.models import WorkQueue

from ...selectors import pool_get, queue_get_by_id, queue_slot_holders
from .. import schemas as s


def _holder(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    stamp = row["state_timestamp"]
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "state_type": row["state_type"],
        "state_name": row["state_name"],
        "start_time": dt(row["start_time"]),
        "state_timestamp": dt(stamp),
        "time_in_current_state": None if stamp is None else (now - stamp).total_seconds(),
    }


def _pages(count: int, limit: int) -> int:
    return math.ceil(count / limit) if limit else 0


@extend_schema(tags=["Work Pools"])
class ConcurrencyStatusViewSet(PrefectViewSet):
    @extend_schema(
        request=s.PoolConcurrencyStatusBody,
        responses=r.answers({200: s.PoolConcurrencyStatusOut}, 404, 422),
    )
    def pool(self, request: Request, name: str) -> Response:
        """The runs holding a work pool's concurrency slots."""
        body = field_body(request, s.PoolConcurrencyStatusBody)
        pool = pool_get(name)
        if pool is None:
            raise DetailError(404, f"Work pool {name!r} not found.")
        queues = list(WorkQueue.objects.filter(work_pool=pool).order_by("priority", "name"))
        holders = queue_slot_holders([q.pk for q in queues])
        now = timezone.now()
        start = (body.page - 1) * body.limit
        page = []
        for queue in queues[start : start + body.limit]:
            mine = [h for h in holders if h["work_queue_id"] == queue.pk]
            page.append(
                {
                    "queue_id": str(queue.pk),
                    "queue_name": queue.name,
                    "active_slots": len(mine),
                    "concurrency_limit": queue.concurrency_limit,
                    "flow_runs": [_holder(h, now) for h in mine[: body.flow_run_limit]],
                    "flow_run_count": len(mine),
                }
            )
        return Response(
            {
                "active_slots": len(holders),
                "concurrency_limit": pool.concurrency_limit,
                "queues": page,
                "count": len(queues),
                "limit": body.limit,
                "pages": _pages(len(queues), body.limit),
                "page": body.page,
            }
        )

    @extend_schema(
        request=s.QueueConcurrencyStatusBody,
        responses=r.answers({200: s.QueueConcurrencyStatusOut}, 404, 422),
    )
    def queue(self, request: Request, id: UUID) -> Response:
        """The runs holding a work queue's concurrency slots."""
        body = field_body(request, s.QueueConcurrencyStatusBody)
        queue = queue_get_by_id(id)
        if queue is None:
            raise DetailError(404, "Work queue not found.")
        holders = queue_slot_holders([queue.pk])
        now = timezone.now()
        start = (body.page - 1) * body.limit
        return Response(
            {
                "active_slots": len(holders),
                "concurrency_limit": queue.concurrency_limit,
                "flow_runs": [_holder(h, now) for h in holders[start : start + body.limit]],
                "count": len(holders),
                "limit": body.limit,
                "pages": _pages(len(holders), body.limit),
                "page": body.page,
            }
        )
