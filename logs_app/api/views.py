"""`/logs/`, `/logs/filter` and `/flow_runs/{id}/logs/download` (spec/api.md §6.20, §7.3-§7.4)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.views.routes import filter_route
from flowruns.api.wire.body import model_body
from flowruns.api.wire.errors import not_found
from flowruns.api.wire.views import PrefectViewSet
from logs_app.csv_export import content_disposition, csv_chunks
from logs_app.selectors import flow_run_log_pages, flow_run_name, logs_page
from logs_app.services import logs_create

from .schemas import LogCreateList, LogFilterBody, LogOutList
from .serializers import LogSerializer

# As Prefect does, NUL characters are dropped from a log's name and message, not refused.
NUL_STRIPPED = frozenset({"name", "message"})


class LogViewSet(PrefectViewSet):
    @extend_schema(request=LogCreateList, responses=r.answers({201: None}, 422))
    def create(self, request: Request) -> Response:
        """Store a batch of logs (NUL characters are dropped from `name` and `message`)."""
        body = model_body(request, LogCreateList, nul_stripped=NUL_STRIPPED)
        logs_create(logs=[log.model_dump() for log in body.root])
        return Response(None, status=201)

    filter = filter_route(
        LogFilterBody,
        logs_page,
        LogSerializer,
        LogOutList,
        description="Logs matching a LogFilter, sorted by timestamp (then id), by limit and "
        "offset.",
    )


class FlowRunLogsViewSet(PrefectViewSet):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The CSV is sent whatever `Accept` says (a client asking for text/csv must not get
        # a 406); error bodies stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses=r.answers({(200, "text/csv"): OpenApiTypes.STR}, 404),
        summary="Download a flow run's logs as CSV",
    )
    def download(self, request: Request, id: UUID) -> StreamingHttpResponse:
        """Every log of the run as CSV, oldest first, streamed page by page."""
        name = flow_run_name(id)
        if name is None:
            raise not_found("Flow run not found")
        response = StreamingHttpResponse(
            csv_chunks(flow_run_log_pages(id)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition(name)
        return response
