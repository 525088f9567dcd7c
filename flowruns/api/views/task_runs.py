"""`/task_runs/...`: create (idempotent per flow run, task key and dynamic key), read, rename,
delete, filter, count and set_state."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.states import initial_proposal
from flowruns.api.schemas.task_runs import TaskRunCreate, TaskRunFilterBody, TaskRunUpdate
from flowruns.api.serializers import TaskRunSerializer
from flowruns.api.wire.body import model_body
from flowruns.api.wire.errors import not_found
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.bodies import TaskRunQuery
from flowruns.models import TaskRun
from flowruns.selectors.task_runs import task_run_get, task_runs_count, task_runs_page
from flowruns.services.states import task_run_set_state
from flowruns.services.task_runs import task_run_create, task_run_delete, task_run_update

from .calls import orchestration_call
from .routes import count_route, filter_route, set_state_route


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
        responses=r.answers({200: r.TaskRunResponse, 201: r.TaskRunResponse}, 409, 422),
        summary="Create a task run, or return the one with the same keys (200)",
    )
    def create(self, request: Request) -> Response:
        body = model_body(request, TaskRunCreate)
        # Read in the writing transaction, as for flow runs: nothing can fail after commit.
        with transaction.atomic():
            task_run, created = task_run_create(
                flow_run_id=body.flow_run_id,
                task_key=body.task_key,
                dynamic_key=body.dynamic_key,
                fields=body.stored_fields(),
                state=initial_proposal(body.state),
                call=orchestration_call(self),
            )
            data = TaskRunSerializer(get_task_run_or_404(task_run.pk)).data
        return Response(data, status=201 if created else 200)

    @extend_schema(responses=r.answers({200: r.TaskRunResponse}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        """A task run, by id."""
        return Response(TaskRunSerializer(get_task_run_or_404(id)).data)

    @extend_schema(request=TaskRunUpdate, responses=r.answers({204: None}, 404, 422))
    def partial_update(self, request: Request, id: UUID) -> Response:
        """Rename a task run (a null or empty name gets a fresh random one)."""
        body = model_body(request, TaskRunUpdate)
        task_run = get_task_run_or_404(id, "Task run not found")
        changes = {field: getattr(body, field) for field in body.model_fields_set}
        task_run_update(task_run=task_run, changes=changes)
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id: UUID) -> Response:
        """Delete a task run with its states."""
        if not task_run_delete(task_run_id=id):
            raise not_found("Task not found")
        return Response(status=204)

    set_state = set_state_route(task_run_set_state, "task_run_id")


class TaskRunQueryViewSet(PrefectViewSet):
    filter = filter_route(
        TaskRunFilterBody,
        task_runs_page,
        TaskRunSerializer,
        r.TaskRunResponses,
        summary="Filter task runs",
    )
    count = count_route(
        TaskRunQuery, task_runs_count, summary="Count task runs matching the filters"
    )
