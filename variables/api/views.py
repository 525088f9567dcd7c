"""`/variables/`: create, read, update and delete by id or by name, filter and count
(spec/concurrency.md §6.3)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from flowruns.api.schemas import responses as r
from flowruns.api.views.routes import count_route, filter_route
from flowruns.api.wire.body import model_body
from flowruns.api.wire.errors import not_found
from flowruns.api.wire.views import PrefectViewSet
from variables.models import Variable
from variables.selectors import variable_get, variables_count, variables_page
from variables.services import variable_create, variable_delete, variable_update

from .schemas import (
    VariableCreate,
    VariableFilterBody,
    VariableOut,
    VariableOutList,
    VariableQuery,
    VariableUpdate,
)
from .serializers import VariableSerializer


def _get_variable(**lookup: Any) -> Variable:
    variable = variable_get(**lookup)
    if variable is None:
        raise not_found("Variable not found.")
    return variable


class VariableViewSet(PrefectViewSet):
    @extend_schema(request=VariableCreate, responses=r.answers({201: VariableOut}, 409, 422))
    def create(self, request: Request) -> Response:
        """Create a variable (409 if the name is taken)."""
        body = model_body(request, VariableCreate)
        variable = variable_create(name=body.name, value=body.value, tags=body.tags)
        return Response(VariableSerializer(variable).data, status=201)

    @extend_schema(responses=r.answers({200: VariableOut}, 404))
    def retrieve(self, request: Request, id: UUID) -> Response:
        """A variable, by id."""
        return Response(VariableSerializer(_get_variable(pk=id)).data)

    @extend_schema(responses=r.answers({200: VariableOut}, 404))
    def retrieve_by_name(self, request: Request, name: str) -> Response:
        """A variable, by name."""
        return Response(VariableSerializer(_get_variable(name=name)).data)

    @extend_schema(request=VariableUpdate, responses=r.answers({204: None}, 404, 409, 422))
    def partial_update(self, request: Request, id: UUID) -> Response:
        """Update a variable's name, value or tags, by id."""
        body = model_body(request, VariableUpdate)
        variable_update(variable=_get_variable(pk=id), changes=body.changes())
        return Response(status=204)

    @extend_schema(request=VariableUpdate, responses=r.answers({204: None}, 404, 409, 422))
    def partial_update_by_name(self, request: Request, name: str) -> Response:
        """Update a variable's name, value or tags, by name."""
        body = model_body(request, VariableUpdate)
        variable_update(variable=_get_variable(name=name), changes=body.changes())
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy(self, request: Request, id: UUID) -> Response:
        """Delete a variable, by id."""
        variable_delete(variable=_get_variable(pk=id))
        return Response(status=204)

    @extend_schema(responses=r.answers({204: None}, 404))
    def destroy_by_name(self, request: Request, name: str) -> Response:
        """Delete a variable, by name."""
        variable_delete(variable=_get_variable(name=name))
        return Response(status=204)

    filter = filter_route(
        VariableFilterBody,
        variables_page,
        VariableSerializer,
        VariableOutList,
        summary="Filter variables",
    )
    count = count_route(
        VariableQuery, variables_count, summary="Count variables matching the filters"
    )
