"""Runs from deployments: `create_flow_run` (+ bulk), the runner's `get_scheduled_flow_runs`
and the manual `schedule` (spec/deployments.md §8, §9, §12.6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from pydantic import TypeAdapter, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.schemas.states import StateCreate
from flowruns.api.serializers import FlowRunSerializer
from flowruns.api.views.calls import orchestration_call
from flowruns.api.wire.body import convert_errors, field_body, model_body
from flowruns.api.wire.errors import DetailError, RequestValidationError
from flowruns.api.wire.headers import created_by_from_headers
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit
from flowruns.models import Deployment
from flowruns.selectors.flow_runs import flow_run_get
from orchestration.states import StateType

from .. import selectors
from ..services.flow_runs import ParametersInvalid, RunRequest, deployment_flow_run_create
from ..services.readiness import deployments_mark_polled
from ..services.scheduling import Window, deployment_schedule_runs, scheduler_settings
from . import responses as o
from . import schemas as s
from .views import deployment_or_404

MAX_BULK = 100
_WHEN: TypeAdapter[datetime | None] = TypeAdapter(datetime | None)


def _run_request(body: s.DeploymentFlowRunCreate) -> RunRequest:
    state = body.state or StateCreate.model_validate(
        {"type": StateType.SCHEDULED, "state_details": {"scheduled_time": timezone.now()}}
    )
    fields = body.model_dump(
        include={
            "name",
            "context",
            "tags",
            "idempotency_key",
            "parent_task_run_id",
            "infrastructure_document_id",
        }
    )
    fields["empirical_policy"] = body.empirical_policy.stored()
    return RunRequest(
        state=state.to_proposal(),
        parameters=body.parameters,
        enforce_parameter_schema=body.enforce_parameter_schema,
        work_queue_name=body.work_queue_name,
        job_variables=body.job_variables,
        labels=body.labels,
        fields=fields,
    )


def _when(value: Any, field: str) -> datetime | None:
    """A datetime field (the runner sends `2026-12-06 02:16:55.455750+00:00`); naive is UTC."""
    try:
        parsed = _WHEN.validate_python(value)
    except ValidationError as exc:
        raise RequestValidationError(convert_errors(exc, prefix=("body", field)), value) from exc
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class DeploymentRunViewSet(PrefectViewSet):
    @extend_schema(
        request=s.DeploymentFlowRunCreate,
        responses=r.answers({200: r.FlowRunResponse, 201: r.FlowRunResponse}, 400, 404, 409, 422),
    )
    def create_flow_run(self, request: Request, id: UUID) -> Response:
        body = model_body(request, s.DeploymentFlowRunCreate)
        deployment = deployment_or_404(id)
        with transaction.atomic():
            run, created = deployment_flow_run_create(
                deployment=deployment,
                request=_run_request(body),
                call=orchestration_call(self),
                created_by=created_by_from_headers(request.headers),
            )
            data = FlowRunSerializer(flow_run_get(run.pk)).data
        return Response(data, status=201 if created else 200)

    @extend_schema(
        request=s.DeploymentFlowRunCreateList,
        responses=r.answers({200: o.BulkCreateOut}, 400, 404, 422),
    )
    def create_flow_run_bulk(self, request: Request, id: UUID) -> Response:
        bodies = model_body(request, s.DeploymentFlowRunCreateList).root
        if len(bodies) > MAX_BULK:
            raise DetailError(400, f"Cannot create more than {MAX_BULK} flow runs at once.")
        deployment = deployment_or_404(id)
        results = []
        for body in bodies:
            try:
                with transaction.atomic():
                    run, _ = deployment_flow_run_create(
                        deployment=deployment,
                        request=_run_request(body),
                        call=orchestration_call(self),
                        created_by=created_by_from_headers(request.headers),
                    )
                results.append({"flow_run_id": str(run.id), "status": "CREATED", "error": None})
            except ParametersInvalid as exc:
                reason = f"Parameter validation failed: {exc.reason}"
                results.append({"flow_run_id": None, "status": "FAILED", "error": reason})
            except DetailError as exc:
                results.append({"flow_run_id": None, "status": "FAILED", "error": exc.detail})
        return Response({"results": results})

    @extend_schema(request=s.ScheduledRunsBody, responses=r.answers({200: r.FlowRunResponses}, 422))
    def get_scheduled_flow_runs(self, request: Request) -> Response:
        body = field_body(request, s.ScheduledRunsBody)
        before = _when(body.scheduled_before, "scheduled_before")
        limit = check_limit(body.limit)
        now = timezone.now()
        runs = selectors.scheduled_runs_for_runner(
            deployment_ids=body.deployment_ids, before=before, limit=limit
        )
        data = FlowRunSerializer(runs, many=True, context={"now": now}).data
        deployments_mark_polled(deployment_ids=body.deployment_ids, now=now)
        return Response(data)

    @extend_schema(request=s.ScheduleNowBody, responses=r.answers({200: o.Null}, 422))
    def schedule(self, request: Request, id: UUID) -> Response:
        body = field_body(request, s.ScheduleNowBody)
        if not Deployment.objects.filter(pk=id).exists():
            return Response(None)
        settings = scheduler_settings()
        now = timezone.now()
        start = _when(body.start_time, "start_time") or now
        end = _when(body.end_time, "end_time") or start + settings.max_scheduled_time
        min_time = (
            timedelta(seconds=body.min_time)
            if body.min_time is not None
            else settings.min_scheduled_time
        )
        window = Window(
            now=start,
            start=start,
            end=end,
            min_runs=body.min_runs if body.min_runs is not None else settings.min_runs,
            max_runs=body.max_runs if body.max_runs is not None else settings.max_runs,
            min_time=min_time,
        )
        deployment_schedule_runs(deployment_id=id, window=window, include_paused=True)
        return Response(None)
