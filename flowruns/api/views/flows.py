"""`/flows/`: create (idempotent per name), list, read by id or name, update, delete, filter
and count."""

from __future__ import annotations

from uuid import UUID

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.pagination import ListPagination
from flowruns.api.schemas import responses as r
from flowruns.api.schemas.flow_queries import FlowFilterBody
from flowruns.api.schemas.flows import FlowCreate, FlowUpdate
from flowruns.api.serializers import FlowSerializer
from flowruns.api.wire.body import model_body
from flowruns.api.wire.errors import not_found
from flowruns.api.wire.views import PrefectViewSet
from flowruns.filters.bodies import FlowQuery
from flowruns.filters.filtersets import FlowFilterSet
from flowruns.models import Flow
from flowruns.selectors.flows import flow_get, flows_count, flows_page
from flowruns.services.flows import flow_create, flow_delete, flow_update

from .routes import count_route, filter_route


def _get_flow(**lookup: object) -> Flow:
    flow = flow_get(**lookup)
    if flow is None:
        raise not_found("Flow not found")
    return flow


class FlowViewSet(PrefectViewSet):
    # For the conventional `GET /api/flows/?name=&tag=&limit=&offset=` list.
    queryset = Flow.objects.order_by("name", "id")
    filter_backends = [DjangoFilterBackend]
    filterset_class = FlowFilterSet
    pagination_class = ListPagination

    @extend_schema(responses={200: r.FlowList}, summary="List flows (REST, query parameters)")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(FlowSerializer(page, many=True).data)

    @extend_schema(request=FlowCreate, responses=r.answers({200: r.FlowOut, 201: r.FlowOut}, 422))
    def create(self, request: Request) -> Response:
        """Create a flow, or return the existing flow of that name (200)."""
        body = model_body(request, FlowCreate)
        flow, created = flow_create(name=body.name, tags=body.tags, labels=body.labels)
        return Response(FlowSerializer(flow).data, status=201 if created else 200)

    @extend_schema(responses=r.answers({200: r.FlowOut}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        """A flow, by id."""
        return Response(FlowSerializer(_get_flow(pk=id)).data)

    @extend_schema(responses=r.answers({200: r.FlowOut}, 404))
    def retrieve_by_name(self, request: Request, name: str) -> Response:
        """A flow, by name."""
        return Response(FlowSerializer(_get_flow(name=name)).data)

    @extend_schema(request=FlowUpdate, responses=r.answers({204: None}, 404, 422))
    def partial_update(self, request: Request, id: UUID) -> Response:
        """Update a flow's tags."""
        body = model_body(request, FlowUpdate)
        flow_update(flow=_get_flow(pk=id), tags=body.tags)
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id: UUID) -> Response:
        """Delete a flow with its deployments and runs (with their states, task runs, logs)."""
        flow_delete(flow=_get_flow(pk=id))
        return Response(status=204)

    filter = filter_route(
        FlowFilterBody, flows_page, FlowSerializer, r.FlowOutList, summary="Filter flows"
    )
    count = count_route(FlowQuery, flows_count, summary="Count flows matching the filters")
