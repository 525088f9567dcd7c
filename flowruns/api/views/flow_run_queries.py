"""`/flow_runs/filter`, `/count` and `/paginate`: Prefect's filter language over flow runs."""

from __future__ import annotations

import math

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.queries import FlowRunFilterBody, FlowRunPaginateBody
from flowruns.api.serializers import FlowRunSerializer
from flowruns.api.wire.body import field_body
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.bodies import FlowRunQuery
from flowruns.filters.limits import check_limit
from flowruns.selectors.flow_run_queries import flow_runs_count, flow_runs_page


class FlowRunQueryViewSet(PrefectViewSet):
    @extend_schema(
        request=FlowRunFilterBody,
        responses={200: r.FlowRunResponses, 422: r.ValidationErrorResponse},
    )
    def filter(self, request: Request) -> Response:
        body = field_body(request, FlowRunFilterBody)
        limit = check_limit(body.limit)
        runs = flow_runs_page(where=body.q(), sort=body.sort, limit=limit, offset=body.offset)
        context = {"now": timezone.now()}
        return Response(FlowRunSerializer(runs, many=True, context=context).data)

    @extend_schema(request=FlowRunQuery, responses={200: int, 422: r.ValidationErrorResponse})
    def count(self, request: Request) -> Response:
        body = field_body(request, FlowRunQuery)
        return Response(flow_runs_count(where=body.q()))

    @extend_schema(
        request=FlowRunPaginateBody,
        responses={200: r.FlowRunPaginationResponse, 422: r.ValidationErrorResponse},
    )
    def paginate(self, request: Request) -> Response:
        body = field_body(request, FlowRunPaginateBody)
        limit = check_limit(body.limit)
        where = body.q()
        count = flow_runs_count(where=where)
        offset = (body.page - 1) * limit
        runs = flow_runs_page(where=where, sort=body.sort, limit=limit, offset=offset)
        return Response(
            {
                "results": FlowRunSerializer(runs, many=True, context={"now": timezone.now()}).data,
                "count": count,
                "limit": limit,
                "pages": math.ceil(count / limit) if limit else 0,
                "page": body.page,
            }
        )
