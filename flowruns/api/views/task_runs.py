"""`/task_runs/...`: create (idempotent per flow run, task key and dynamic key), read, rename,
delete, filter, count and set_state."""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.orchestration import SetStateBody
from flowruns.api.schemas.states import StateCreate
from flowruns.api.schemas.task_runs import (
    TaskRunCreate,
    TaskRunFilterBody,
    TaskRunUpdate,
)
from flowruns.api.serializers import TaskRunSerializer
from flowruns.api.serializers.orchestration import orchestration_result_out
from flowruns.api.wire.body import field_body, model_body
from flowruns.api.wire.errors import not_found
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.bodies import TaskRunQuery
from flowruns.filters.limits import check_limit
from flowruns.models import StateType, TaskRun
from flowruns.selectors.task_runs import task_run_get, task_runs_count, task_runs_page
from flowruns.services.task_run_states import task_run_set_state
from flowruns.services.task_runs import task_run_create, task_run_delete, task_run_update

from .calls import orchestration_call


def get_task_run_or_404(task_run_id: UUID, detail: str = "Task not found") -> TaskRun:
    """Prefect words this 404 `Task not found` on read and delete, `Task run not found` on
    PATCH."""
    task_run = task_run_get(task_run_id)
    if task_run is None:
        raise not_found(detail)
    return task_run


class TaskRunViewSet(PrefectViewSet):
    @extend_schema(
        request=TaskRunCreate,
        responses={
            200: r.TaskRunResponse,
            201: r.TaskRunResponse,
            409: r.ErrorDetail,
            422: r.ValidationErrorResponse,
        },
        summary="Create a task run, or return the one with the same keys (200)",
    )
    def create(self, request: Request) -> Response:
        body = model_body(request, TaskRunCreate)
        fields = body.model_dump(
            include={"id", "name", "cache_key", "cache_expiration", "task_version", "tags"}
        )
        fields["labels"] = body.labels
        fields["empirical_policy"] = body.empirical_policy.stored()
        fields["task_inputs"] = body.stored_task_inputs()
        task_run, created = task_run_create(
            flow_run_id=body.flow_run_id,
            task_key=body.task_key,
            dynamic_key=body.dynamic_key,
            fields=fields,
            state=(body.state or StateCreate(type=StateType.PENDING)).to_proposal(),
            call=orchestration_call(self),
        )
        task_run = get_task_run_or_404(task_run.pk)
        return Response(TaskRunSerializer(task_run).data, status=201 if created else 200)

    @extend_schema(responses={200: r.TaskRunResponse, 404: r.ErrorDetail})
    def retrieve(self, request: Request, id: UUID) -> Response:
        return Response(TaskRunSerializer(get_task_run_or_404(id)).data)

    @extend_schema(
        request=TaskRunUpdate,
        responses={204: None, 404: r.ErrorDetail, 422: r.ValidationErrorResponse},
    )
    def partial_update(self, request: Request, id: UUID) -> Response:
        body = model_body(request, TaskRunUpdate)
        task_run = get_task_run_or_404(id, "Task run not found")
        changes = {field: getattr(body, field) for field in body.model_fields_set}
        task_run_update(task_run=task_run, changes=changes)
        return Response(status=204)

    @extend_schema(responses={204: None, 404: r.ErrorDetail})
    def destroy(self, request: Request, id: UUID) -> Response:
        if not task_run_delete(task_run_id=id):
            raise not_found("Task not found")
        return Response(status=204)

    @extend_schema(
        request=SetStateBody,
        responses={
            200: r.OrchestrationResultOut,
            201: r.OrchestrationResultOut,
            404: r.ExceptionMessage,
            422: r.ValidationErrorResponse,
        },
    )
    def set_state(self, request: Request, id: UUID) -> Response:
        """201 when this request wrote a state row, 200 otherwise; clients branch on
        `status`."""
        body = field_body(request, SetStateBody)
        outcome = task_run_set_state(
            task_run_id=id,
            state=body.state.to_proposal(),
            force=body.force,
            call=orchestration_call(self),
        )
        return Response(orchestration_result_out(outcome), status=201 if outcome.written else 200)


class TaskRunQueryViewSet(PrefectViewSet):
    @extend_schema(
        request=TaskRunFilterBody,
        responses={200: r.TaskRunResponses, 422: r.ValidationErrorResponse},
    )
    def filter(self, request: Request) -> Response:
        body = field_body(request, TaskRunFilterBody)
        limit = check_limit(body.limit)
        runs = task_runs_page(where=body.q(), sort=body.sort, limit=limit, offset=body.offset)
        context = {"now": timezone.now()}
        return Response(TaskRunSerializer(runs, many=True, context=context).data)

    @extend_schema(request=TaskRunQuery, responses={200: int, 422: r.ValidationErrorResponse})
    def count(self, request: Request) -> Response:
        body = field_body(request, TaskRunQuery)
        return Response(task_runs_count(where=body.q()))
