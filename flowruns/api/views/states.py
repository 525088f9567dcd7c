"""`GET /flow_run_states/` and `GET /task_run_states/`: a run's states, and one state by id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from pydantic import BaseModel
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.states import FlowRunStatesQuery, TaskRunStatesQuery
from flowruns.api.serializers import StateSerializer
from flowruns.api.wire.body import validate
from flowruns.api.wire.errors import RequestValidationError, not_found
from flowruns.api.wire.views import PrefectViewSet
from flowruns.models import FlowRunState, TaskRunState
from flowruns.selectors.flow_runs import flow_run_state_get, flow_run_states
from flowruns.selectors.task_runs import task_run_state_get, task_run_states


class RunStateViewSet(PrefectViewSet):
    """What differs between the two kinds of run: the query, the selectors, the run-id key.
    (`queryset` is for the schema generator only.)"""

    query: type[BaseModel]
    run_id_key: str
    states: Callable[[UUID], QuerySet[Any]]
    state_get: Callable[[UUID], Any]

    def list(self, request: Request) -> Response:
        params = dict(request.query_params.items())
        try:
            query = validate(self.query, params, field_body=True)
        except RequestValidationError as exc:
            for error in exc.errors:
                error["loc"][0] = "query"
            raise
        states = type(self).states(getattr(query, self.run_id_key))
        return Response(StateSerializer(states, many=True).data)

    def retrieve(self, request: Request, id: UUID) -> Response:
        state = type(self).state_get(id)
        if state is None:
            # Prefect answers this for task-run states too.
            raise not_found("Flow run state not found")
        return Response(StateSerializer(state).data)


def _documented(run_id_key: str, summary: str) -> dict[str, Any]:
    return {
        "list": extend_schema(
            parameters=[OpenApiParameter(run_id_key, UUID, required=True)],
            responses=r.answers({200: r.StateOutList}, 422),
            summary=summary,
        ),
        "retrieve": extend_schema(
            responses=r.answers({200: r.StateOut}, 404), summary="One state, by its id"
        ),
    }


@extend_schema_view(**_documented("flow_run_id", "A flow run's states, oldest first"))
class FlowRunStateViewSet(RunStateViewSet):
    queryset, query, run_id_key = FlowRunState.objects.none(), FlowRunStatesQuery, "flow_run_id"
    states, state_get = staticmethod(flow_run_states), staticmethod(flow_run_state_get)


@extend_schema_view(**_documented("task_run_id", "A task run's states, oldest first"))
class TaskRunStateViewSet(RunStateViewSet):
    queryset, query, run_id_key = TaskRunState.objects.none(), TaskRunStatesQuery, "task_run_id"
    states, state_get = staticmethod(task_run_states), staticmethod(task_run_state_get)
