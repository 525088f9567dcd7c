from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.states import FlowRunStatesQuery
from flowruns.api.serializers import StateSerializer
from flowruns.api.wire.body import validate
from flowruns.api.wire.errors import RequestValidationError, not_found
from flowruns.api.wire.views import PrefectViewSet
from flowruns.models import FlowRunState
from flowruns.selectors.flow_runs import flow_run_state_get, flow_run_states


class FlowRunStateViewSet(PrefectViewSet):
    queryset = FlowRunState.objects.none()  # for the schema generator only

    @extend_schema(
        parameters=[OpenApiParameter("flow_run_id", UUID, required=True)],
        responses=r.answers({200: r.StateOutList}, 422),
        summary="A flow run's states, oldest first",
    )
    def list(self, request: Request) -> Response:
        params = dict(request.query_params.items())
        try:
            query = validate(FlowRunStatesQuery, params, field_body=True)
        except RequestValidationError as exc:
            for error in exc.errors:
                error["loc"][0] = "query"
            raise
        states = flow_run_states(query.flow_run_id)
        return Response(StateSerializer(states, many=True).data)

    @extend_schema(responses=r.answers({200: r.StateOut}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        state = flow_run_state_get(id)
        if state is None:
            raise not_found("Flow run state not found")
        return Response(StateSerializer(state).data)
