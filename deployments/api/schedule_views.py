"""`/deployments/{id}/schedules[/{schedule_id}]` (spec/deployments.md §11)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.wire.body import model_body
from flowruns.api.wire.views import PrefectViewSet

from ..services.schedules import schedule_delete, schedule_update, schedules_create
from . import responses as o
from . import schemas as s
from .render import schedule_out
from .views import deployment_or_404

NOT_FOUND = "Deployment not found."


class DeploymentScheduleViewSet(PrefectViewSet):
    @extend_schema(responses=r.answers({200: o.ScheduleOutList}, 404))
    def list_schedules(self, request: Request, id: UUID) -> Response:
        deployment = deployment_or_404(id, NOT_FOUND)
        return Response([schedule_out(x) for x in deployment.schedules.all()])

    @extend_schema(
        request=s.ScheduleCreateArray, responses=r.answers({201: o.ScheduleOutList}, 404, 409, 422)
    )
    def create(self, request: Request, id: UUID) -> Response:
        items = model_body(request, s.ScheduleCreateArray).root
        deployment = deployment_or_404(id, NOT_FOUND)
        made = schedules_create(deployment=deployment, schedules=[i.stored() for i in items])
        return Response([schedule_out(x) for x in made], status=201)

    @extend_schema(request=s.ScheduleUpdate, responses=r.answers({204: None}, 404, 409, 422))
    def partial_update(self, request: Request, id: UUID, schedule_id: UUID) -> Response:
        body = model_body(request, s.ScheduleUpdate)
        deployment = deployment_or_404(id, NOT_FOUND)
        schedule_update(deployment=deployment, schedule_id=schedule_id, changes=body.stored())
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id: UUID, schedule_id: UUID) -> Response:
        deployment = deployment_or_404(id, NOT_FOUND)
        schedule_delete(deployment=deployment, schedule_id=schedule_id)
        return Response(status=204)


class AutomationStubViewSet(PrefectViewSet):
    """Automations are out of scope; the deployment clients call these two routes (spec §0)."""

    @extend_schema(responses={202: o.Null})
    def delete_owned_by(self, request: Request, resource_id: str) -> Response:
        return Response(None, status=202)

    @extend_schema(responses={200: o.EmptyList})
    def related_to(self, request: Request, resource_id: str) -> Response:
        return Response([])
