"""`/flow_runs/`: create (idempotent per flow and idempotency key), list, read, update,
delete, and merge labels."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.pagination import ListPagination
from flowruns.api.schemas import responses as r
from flowruns.api.schemas.flow_runs import FlowRunCreate, FlowRunUpdate, LabelsBody
from flowruns.api.schemas.states import initial_proposal
from flowruns.api.serializers import FlowRunSerializer
from flowruns.api.wire.body import model_body
from flowruns.api.wire.errors import ObjectNotFound, not_found
from flowruns.api.wire.headers import created_by_from_headers
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.filtersets import FlowRunFilterSet
from flowruns.selectors.flow_run_rows import FlowRunRow
from flowruns.selectors.flow_runs import flow_run_get, flow_run_row_get, flow_runs_for_response
from flowruns.services.flow_runs import (
    flow_run_create,
    flow_run_update,
    flow_run_update_labels,
)
from flowruns.services.flow_runs_delete import flow_runs_delete_by_ids

from .calls import orchestration_call


def flow_run_row_or_404(flow_run_id: UUID) -> FlowRunRow:
    run = flow_run_row_get(flow_run_id)
    if run is None:
        raise not_found("Flow run not found")
    return run


class FlowRunViewSet(PrefectViewSet):
    # For the conventional `GET /api/flow_runs/?state_type=&tag=&...` list.
    queryset = flow_runs_for_response().order_by("-created", "-id")
    filter_backends = [DjangoFilterBackend]
    filterset_class = FlowRunFilterSet
    pagination_class = ListPagination

    @extend_schema(
        responses={200: r.FlowRunList}, summary="List flow runs (REST, query parameters)"
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = FlowRunSerializer(page, many=True, context={"now": timezone.now()}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=FlowRunCreate,
        responses=r.answers({200: r.FlowRunResponse, 201: r.FlowRunResponse}, 404, 409, 422),
    )
    def create(self, request: Request) -> Response:
        """Create a flow run; without a state it starts PENDING, without a name it gets a random
        one."""
        body = model_body(request, FlowRunCreate)
        # The answer is made in the transaction that writes the run: once it commits, no
        # query is left to fail, so a committed run is never answered 503 (and created again
        # by the client's retry). A new run is answered as it was written, from the row in
        # memory (as Prefect answers); a run found by its idempotency key is read.
        with transaction.atomic():
            run, created = flow_run_create(
                flow_id=body.flow_id,
                fields=body.stored_fields(),
                state=initial_proposal(body.state),
                call=orchestration_call(self),
                created_by=created_by_from_headers(request.headers),
                work_pool_name=body.work_pool_name,
                work_queue_name=body.work_queue_name,
            )
            data = FlowRunSerializer(run if created else flow_run_row_or_404(run.pk)).data
        return Response(data, status=201 if created else 200)

    @extend_schema(responses=r.answers({200: r.FlowRunResponse}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        """A flow run, by id."""
        return Response(FlowRunSerializer(flow_run_row_or_404(id)).data)

    @extend_schema(request=FlowRunUpdate, responses=r.answers({204: None}, 400, 404, 422))
    def partial_update(self, request: Request, id: UUID) -> Response:
        """Update the fields of a flow run given in the body (name, parameters, tags, ...); never
        its state."""
        body = model_body(request, FlowRunUpdate)
        run = flow_run_get(id)
        if run is None:
            raise not_found("Flow run not found")
        changes = {field: getattr(body, field) for field in body.model_fields_set}
        if "empirical_policy" in changes:
            changes["empirical_policy"] = body.empirical_policy.stored()
        flow_run_update(run=run, changes=changes)
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id: UUID) -> Response:
        """Delete a flow run with its states, inputs, task runs and logs."""
        if not flow_runs_delete_by_ids([id]):
            raise not_found("Flow run not found")
        return Response(status=204)

    @extend_schema(
        request=LabelsBody,
        responses=r.answers({204: None}, 404, 422, not_found=r.ExceptionMessage),
    )
    def labels(self, request: Request, id: UUID) -> Response:
        """Merge labels into a flow run's labels."""
        labels = model_body(request, LabelsBody).root
        run = flow_run_get(id)
        if run is None:
            raise ObjectNotFound(f"Flow run with id {id} not found")
        flow_run_update_labels(run=run, labels=labels)
        return Response(status=204)
