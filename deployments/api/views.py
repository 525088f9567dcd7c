"""`/deployments`: create-or-upsert, read (by id, by names), PATCH, delete, filter, count,
paginate, bulk delete, pause and resume (spec/deployments.md §4-§7, §10)."""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from concurrency.models import ConcurrencyLimitV2
from flowruns.api.schemas import responses as r
from flowruns.api.wire.body import field_body, model_body
from flowruns.api.wire.errors import DetailError, not_found
from flowruns.api.wire.headers import created_by_from_headers
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.limits import check_limit
from flowruns.models import Deployment

from .. import selectors
from ..services.deployments import (
    deployment_delete,
    deployment_pause,
    deployment_resume,
    deployment_upsert,
)
from ..services.parameters import CircularSchema, RunInputInvalid, job_variables_check
from ..services.queues import DEFAULT_AGENT_POOL, deployment_queue_resolve, pool_get
from . import responses as o
from . import schemas as s
from .patching import deployment_patch
from .render import deployment_out

NOT_FOUND = "Deployment not found"
# Keys of a create body that are not plain columns of the row.
NOT_COLUMNS = {
    "name",
    "flow_id",
    "schedules",
    "labels",
    "work_pool_name",
    "work_queue_name",
    "version_info",
    "global_concurrency_limit_id",
}


def deployment_or_404(deployment_id: UUID, detail: str = NOT_FOUND) -> Deployment:
    deployment = selectors.deployment_get(pk=deployment_id)
    if deployment is None:
        raise not_found(detail)
    return deployment


def check_global_limit(limit_id: UUID | None) -> None:
    if limit_id is not None and not ConcurrencyLimitV2.objects.filter(pk=limit_id).exists():
        raise DetailError(404, "Concurrency limit not found")


def check_blocks(body: Any) -> None:
    """No blocks here: any block id is one that cannot be found (spec §4.2)."""
    for field, kind in (("infrastructure_document_id", "infrastructure"),
                        ("storage_document_id", "storage")):  # fmt: skip
        value = getattr(body, field, None)
        if value is not None:
            raise DetailError(
                409, f"Error creating deployment. Could not find {kind} block with id: {value}"
            )


def _columns(body: s.DeploymentCreate) -> dict[str, Any]:
    present = body.model_fields_set | {"paused", "enforce_parameter_schema"}
    fields = {k: getattr(body, k) for k in present if k not in NOT_COLUMNS}
    if "concurrency_options" in fields and body.concurrency_options is not None:
        fields["concurrency_options"] = body.concurrency_options.model_dump()
    if fields.get("pull_steps", []) is None:
        fields["pull_steps"] = []
    return fields


class DeploymentViewSet(PrefectViewSet):
    @extend_schema(
        request=s.DeploymentCreate,
        responses=r.answers({200: o.DeploymentOut, 201: o.DeploymentOut}, 404, 409, 422),
    )
    def create(self, request: Request) -> Response:
        body = model_body(request, s.DeploymentCreate)
        if body.work_pool_name is not None and body.work_pool_name != DEFAULT_AGENT_POOL:
            pool = pool_get(body.work_pool_name)
            if body.job_variables:
                try:
                    job_variables_check(body.job_variables, pool.base_job_template, required=False)
                except (RunInputInvalid, CircularSchema) as exc:
                    raise DetailError(422, f"Error creating deployment: {exc}") from exc
        check_global_limit(body.global_concurrency_limit_id)
        check_blocks(body)
        queue = deployment_queue_resolve(
            work_pool_name=body.work_pool_name, work_queue_name=body.work_queue_name
        )
        deployment, created = deployment_upsert(
            flow_id=body.flow_id,
            name=body.name,
            fields=_columns(body),
            labels=body.labels,
            schedules=[{**item.stored(), "max_scheduled_runs": None} for item in body.schedules],
            queue=queue,
            updated_by=created_by_from_headers(request.headers),
        )
        data = deployment_out(deployment_or_404(deployment.pk))
        return Response(data, status=201 if created else 200)

    @extend_schema(responses=r.answers({200: o.DeploymentOut}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        return Response(deployment_out(deployment_or_404(id)))

    @extend_schema(responses=r.answers({200: o.DeploymentOut}, 404))
    def retrieve_by_name(self, request: Request, flow_name: str, deployment_name: str) -> Response:
        deployment = selectors.deployment_by_names(flow_name, deployment_name)
        if deployment is None:
            raise not_found(NOT_FOUND)
        return Response(deployment_out(deployment))

    @extend_schema(request=s.DeploymentUpdate, responses=r.answers({204: None}, 404, 409, 422))
    def partial_update(self, request: Request, id: UUID) -> Response:
        body = model_body(request, s.DeploymentUpdate)
        deployment = deployment_or_404(id, "Deployment not found.")
        deployment_patch(deployment, body, updated_by=created_by_from_headers(request.headers))
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id: UUID) -> Response:
        if not deployment_delete(deployment_id=id):
            raise not_found(NOT_FOUND)
        return Response(status=204)

    @extend_schema(
        request=s.DeploymentFilterBody, responses=r.answers({200: o.DeploymentOutList}, 422)
    )
    def filter(self, request: Request) -> Response:
        body = field_body(request, s.DeploymentFilterBody)
        limit = check_limit(body.limit)
        rows = selectors.deployments_page(
            where=body.q(), sort=body.sort, limit=limit, offset=body.offset
        )
        return Response([deployment_out(row) for row in rows])

    @extend_schema(request=s.DeploymentQuery, responses=r.answers({200: int}, 422))
    def count(self, request: Request) -> Response:
        return Response(
            selectors.deployments_count(where=field_body(request, s.DeploymentQuery).q())
        )

    @extend_schema(
        request=s.DeploymentPaginateBody, responses=r.answers({200: o.DeploymentPage}, 422)
    )
    def paginate(self, request: Request) -> Response:
        body = field_body(request, s.DeploymentPaginateBody)
        limit = check_limit(body.limit)
        where = body.q()
        count = selectors.deployments_count(where=where)
        rows = selectors.deployments_page(
            where=where, sort=body.sort, limit=limit, offset=(body.page - 1) * limit
        )
        return Response(
            {
                "results": [deployment_out(row) for row in rows],
                "count": count,
                "limit": limit,
                "pages": math.ceil(count / limit) if limit else 0,
                "page": body.page,
            }
        )

    @extend_schema(
        request=s.DeploymentBulkDeleteBody, responses=r.answers({200: o.BulkDeleteOut}, 422)
    )
    def bulk_delete(self, request: Request) -> Response:
        body = field_body(request, s.DeploymentBulkDeleteBody)
        where = s.DeploymentQuery(deployments=body.deployments).q()
        ids = list(Deployment.objects.filter(where).values_list("id", flat=True)[: body.limit])
        deleted = [str(i) for i in ids if deployment_delete(deployment_id=i)]
        return Response({"deleted": deleted})

    @extend_schema(request=None, responses=r.answers({200: o.Null}, 404))
    def pause(self, request: Request, id: UUID) -> Response:
        deployment_pause(deployment=deployment_or_404(id))
        return Response(None, status=200)

    @extend_schema(request=None, responses=r.answers({200: o.Null}, 404))
    def resume(self, request: Request, id: UUID) -> Response:
        deployment_resume(deployment=deployment_or_404(id))
        return Response(None, status=200)


__all__ = ["DeploymentViewSet", "deployment_or_404", "timezone"]
