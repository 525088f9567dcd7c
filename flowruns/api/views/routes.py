"""View methods several resources share, each built from the pieces that differ.

`/filter` and `/count` read alike for flow runs, task runs, flows and logs, and
`/{id}/set_state` is one route for flow runs and task runs: only the body model, the selector
or service, the serializer and the documented answer change. Each function here returns the
view method of one such route, documented for the OpenAPI page:

    class TaskRunQueryViewSet(PrefectViewSet):
        filter = filter_route(TaskRunFilterBody, task_runs_page, TaskRunSerializer, ...)
        count = count_route(TaskRunQuery, task_runs_count)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast
from uuid import UUID

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.orchestration import SetStateBody
from flowruns.api.serializers.orchestration import orchestration_result_out
from flowruns.api.wire.body import field_body
from flowruns.api.wire.rendering import RenderedJSON
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit
from flowruns.selectors.flow_run_json import renders_json
from flowruns.services.orchestration_types import SetStateOutcome

from .calls import orchestration_call

ViewMethod = Callable[..., Response]

# A state was written (201) or not (200); the body is the same.
ORCHESTRATED = {200: r.OrchestrationResultOut, 201: r.OrchestrationResultOut}


class _Query(Protocol):
    def q(self) -> Q: ...


class _PageQuery(_Query, Protocol):
    sort: Any
    limit: int | None
    offset: int


def filter_route(
    body: type[BaseModel],
    page: Callable[..., Sequence[Any]],
    serializer: type[BaseSerializer],
    out: Any,
    *,
    page_json: Callable[..., bytes] | None = None,
    **doc: Any,
) -> ViewMethod:
    """`POST .../filter`: the filters, `sort`, `limit` and `offset` of `body` go to
    `page(where=, sort=, limit=, offset=)`, whose rows `serializer` answers as `out`. On
    PostgreSQL, `page_json` (same arguments and `now=`) answers the same page as JSON the
    database has rendered, when the resource has one."""

    @extend_schema(request=body, responses=r.answers({200: out}, 422), **doc)
    def filter_view(view: PrefectViewSet, request: Request) -> Response:
        query = cast(_PageQuery, field_body(request, body))
        limit = check_limit(query.limit)
        where, now = query.q(), timezone.now()
        if page_json is not None and renders_json():
            rendered = page_json(
                where=where, sort=query.sort, limit=limit, offset=query.offset, now=now
            )
            return Response(RenderedJSON(rendered))
        rows = page(where=where, sort=query.sort, limit=limit, offset=query.offset)
        return Response(serializer(rows, many=True, context={"now": now}).data)

    return filter_view


def count_route(body: type[BaseModel], count: Callable[..., int], **doc: Any) -> ViewMethod:
    """`POST .../count`: how many rows `count(where=)` finds for the filters of `body`."""

    @extend_schema(request=body, responses=r.answers({200: int}, 422), **doc)
    def count_view(view: PrefectViewSet, request: Request) -> Response:
        return Response(count(where=cast(_Query, field_body(request, body)).q()))

    return count_view


def orchestration_response(outcome: SetStateOutcome) -> Response:
    """An OrchestrationResult: 201 when this request wrote a state row (accepted, or rejected
    with a replacement such as AwaitingRetry), 200 otherwise."""
    return Response(orchestration_result_out(outcome), status=201 if outcome.written else 200)


def set_state_route(set_state: Callable[..., SetStateOutcome], run_id: str) -> ViewMethod:
    """`POST .../{id}/set_state` through `set_state`, the kind's service, whose argument
    naming the run is `run_id` (`flow_run_id`, `task_run_id`)."""

    @extend_schema(
        request=SetStateBody,
        responses=r.answers(ORCHESTRATED, 404, 422, not_found=r.ExceptionMessage),
    )
    def set_state_view(view: PrefectViewSet, request: Request, id: UUID) -> Response:
        """201 when this request wrote a state row (accepted, or rejected with a replacement
        such as AwaitingRetry); 200 otherwise. Clients branch on `status`, not the code."""
        body = field_body(request, SetStateBody)
        proposal = body.state.to_proposal()
        call = orchestration_call(view)
        outcome = set_state(**{run_id: id}, state=proposal, force=body.force, call=call)
        return orchestration_response(outcome)

    return set_state_view
