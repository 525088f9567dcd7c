"""Key/value inputs of a flow run (`/flow_runs/{id}/input...`)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.inputs import InputCreateBody, InputFilterBody
from flowruns.api.serializers import FlowRunInputSerializer
from flowruns.api.wire.body import field_body
from flowruns.api.wire.errors import not_found
from flowruns.api.wire.views import PrefectViewSet
from flowruns.selectors.inputs import flow_run_input_get, flow_run_inputs_with_prefix
from flowruns.services.inputs import flow_run_input_create, flow_run_input_delete


class FlowRunInputViewSet(PrefectViewSet):
    @extend_schema(request=InputCreateBody, responses=r.answers({201: None}, 404, 409, 422))
    def create(self, request: Request, id: UUID) -> Response:
        """Store a keyed input for a flow run (409 if the key exists)."""
        body = field_body(request, InputCreateBody)
        flow_run_input_create(
            flow_run_id=id,
            key=body.key,
            value=body.value.decode("utf-8", errors="replace"),
            sender=body.sender,
        )
        return Response(None, status=201)

    @extend_schema(request=InputFilterBody, responses=r.answers({200: r.FlowRunInputOutList}, 422))
    def filter(self, request: Request, id: UUID) -> Response:
        """A flow run's inputs whose keys start with a prefix."""
        body = field_body(request, InputFilterBody)
        rows = flow_run_inputs_with_prefix(
            flow_run_id=id, prefix=body.prefix, exclude_keys=body.exclude_keys, limit=body.limit
        )
        return Response(FlowRunInputSerializer(rows, many=True).data)

    @extend_schema(responses={(200, "text/plain"): str})
    def retrieve(self, request: Request, id: UUID, key: str) -> HttpResponse:
        """An input's value, as the raw text it was stored with."""
        row = flow_run_input_get(flow_run_id=id, key=key)
        if row is None:
            raise not_found("Flow run input not found")
        # The stored text verbatim: JSON-encoding it would hand the client a different value.
        return HttpResponse(row.value, content_type="text/plain; charset=utf-8")

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id: UUID, key: str) -> Response:
        """Delete one input of a flow run."""
        if not flow_run_input_delete(flow_run_id=id, key=key):
            raise not_found("Flow run input not found")
        return Response(status=204)
