"""`/flow_runs/filter`, `/count`, `/paginate`, `/lateness`, `/history` and `/bulk_delete`:
Prefect's filter language over flow runs."""

from __future__ import annotations

import math

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.queries import (
    BulkDeleteBody,
    FlowRunFilterBody,
    FlowRunHistoryBody,
    FlowRunPaginateBody,
)
from flowruns.api.serializers import FlowRunSerializer
from flowruns.api.serializers.history import history_out
from flowruns.api.wire.body import field_body
from flowruns.api.wire.rendering import RenderedJSON
from flowruns.api.wire.views import PrefectViewSet
from flowruns.errors import DetailError
from flowruns.filters.bodies import FlowRunQuery
from flowruns.filters.limits import check_limit
from flowruns.selectors.flow_run_json import renders_json
from flowruns.selectors.flow_run_queries import (
    flow_run_ids,
    flow_runs_average_lateness,
    flow_runs_page,
    flow_runs_page_json,
)
from flowruns.selectors.run_counters.count import flow_runs_count_matching
from flowruns.selectors.run_counters.history import flow_run_history_matching
from flowruns.services.flow_runs_delete import flow_runs_delete_by_ids

from .routes import filter_route


class FlowRunQueryViewSet(PrefectViewSet):
    filter = filter_route(
        FlowRunFilterBody,
        flow_runs_page,
        FlowRunSerializer,
        r.FlowRunResponses,
        page_json=flow_runs_page_json,
        summary="Filter flow runs",
    )

    @extend_schema(request=FlowRunQuery, responses=r.answers({200: int}, 422))
    def count(self, request: Request) -> Response:
        """How many flow runs match the filters."""
        return Response(flow_runs_count_matching(query=field_body(request, FlowRunQuery)))

    @extend_schema(
        request=FlowRunPaginateBody, responses=r.answers({200: r.FlowRunPaginationResponse}, 422)
    )
    def paginate(self, request: Request) -> Response:
        """One page of matching flow runs, with the total count and the number of pages."""
        body = field_body(request, FlowRunPaginateBody)
        limit = check_limit(body.limit)
        where = body.q()
        count = flow_runs_count_matching(query=body)
        offset = (body.page - 1) * limit
        pages = math.ceil(count / limit) if limit else 0
        now = timezone.now()
        if renders_json():
            results = flow_runs_page_json(
                where=where, sort=body.sort, limit=limit, offset=offset, now=now
            )
            tail = f',"count":{count},"limit":{limit},"pages":{pages},"page":{body.page}}}'
            return Response(RenderedJSON(b'{"results":' + results + tail.encode()))
        runs = flow_runs_page(where=where, sort=body.sort, limit=limit, offset=offset)
        return Response(
            {
                "results": FlowRunSerializer(runs, many=True, context={"now": now}).data,
                "count": count,
                "limit": limit,
                "pages": pages,
                "page": body.page,
            }
        )

    @extend_schema(request=FlowRunQuery, responses=r.answers({200: float | None}, 422))
    def lateness(self, request: Request) -> Response:
        """Average lateness in seconds of the matching runs, or null when none match."""
        body = field_body(request, FlowRunQuery)
        return Response(flow_runs_average_lateness(where=body.q(), now=timezone.now()))

    @extend_schema(request=FlowRunHistoryBody, responses=r.answers({200: r.HistoryResponse}, 422))
    def history(self, request: Request) -> Response:
        """Counts of matching flow runs per state, in time intervals."""
        body = field_body(request, FlowRunHistoryBody)
        if body.history_interval_seconds < 1:
            raise DetailError(422, "History interval must not be less than 1 second.")
        buckets = flow_run_history_matching(
            query=body,
            start=body.history_start,
            end=body.history_end,
            interval_seconds=body.history_interval_seconds,
            now=timezone.now(),
        )
        return Response(history_out(buckets))

    @extend_schema(request=BulkDeleteBody, responses=r.answers({200: r.BulkDeleteResponse}, 422))
    def bulk_delete(self, request: Request) -> Response:
        """Delete up to `limit` (≤ 50) matching runs with their states, inputs, task runs
        and logs; answers the ids actually deleted."""
        body = field_body(request, BulkDeleteBody)
        ids = flow_run_ids(where=body.q(), limit=body.limit)
        deleted = flow_runs_delete_by_ids(ids)
        return Response({"deleted": [str(run_id) for run_id in deleted]})
