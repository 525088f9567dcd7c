"""Routes for variables, included under /api by config.urls. As in Prefect, only the
collection has both spellings (`/variables` and `/variables/`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .views import VariableViewSet

variables = VariableViewSet.as_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("variables/", variables({"post": "create"})),
    path("variables", variables({"post": "create"})),
    path("variables/filter", variables({"post": "filter"})),
    path("variables/count", variables({"post": "count"})),
    path(
        "variables/name/<str:name>",
        variables(
            {
                "get": "retrieve_by_name",
                "patch": "partial_update_by_name",
                "delete": "destroy_by_name",
            }
        ),
    ),
    path(
        "variables/<puuid:id>",
        variables({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
]
