"""`/flow_runs/{id}/graph` (v1) and `/flow_runs/{id}/graph-v2`."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import TypeAdapter, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.serializers.graphs import dependency_result_out, graph_out
from flowruns.api.wire.body import convert_errors
from flowruns.api.wire.errors import RequestValidationError
from flowruns.api.wire.views import PrefectViewSet
from flowruns.selectors.graphs import EARLIEST, flow_run_dependencies, flow_run_graph

# A plain pydantic datetime, as Prefect's query parameter is: the same formats are accepted and
# a bad one is the same `datetime_from_date_parsing` error (not the body fields' `value_error`).
_SINCE: TypeAdapter[datetime] = TypeAdapter(datetime)


def since_param(request: Request) -> datetime:
    """The `since` query parameter (naive means UTC); an unparseable one is a 422 at
    `["query", "since"]`."""
    raw = request.query_params.get("since")
    if raw is None:
        return EARLIEST
    try:
        since = _SINCE.validate_python(raw)
    except ValidationError as exc:
        raise RequestValidationError(convert_errors(exc, prefix=("query", "since")), None) from exc
    if since.tzinfo is None:
        return since.replace(tzinfo=UTC)
    try:
        return since.astimezone(UTC)
    except OverflowError:  # before year 1 in UTC: earlier than any run
        return EARLIEST


class FlowRunGraphViewSet(PrefectViewSet):
    @extend_schema(
        responses=r.answers({200: r.DependencyResults}, 404, not_found=r.ExceptionMessage),
        summary="Graph v1: each task run with the task runs it depends on",
    )
    def graph_v1(self, request: Request, id: UUID) -> Response:
        now = timezone.now()
        return Response([dependency_result_out(item, now) for item in flow_run_dependencies(id)])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                datetime,
                description="Only nodes still running or ending at or after this time.",
            )
        ],
        responses=r.answers({200: r.GraphOut}, 400, 404, 422, not_found=r.ExceptionMessage),
        summary="Graph v2: task runs and subflows as nodes, with their edges",
    )
    def graph_v2(self, request: Request, id: UUID) -> Response:
        return Response(graph_out(flow_run_graph(id, since=since_param(request))))
