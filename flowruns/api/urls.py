"""Every route under /api, with Prefect's exact paths. Nothing here ever redirects."""

from __future__ import annotations

from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views.flow_run_orchestration import FlowRunOrchestrationViewSet
from .views.flow_run_queries import FlowRunQueryViewSet
from .views.flow_runs import FlowRunViewSet
from .views.flows import FlowViewSet
from .views.inputs import FlowRunInputViewSet
from .views.service import ServiceViewSet
from .views.states import FlowRunStateViewSet
from .wire.converters import InputKeyConverter, PrefectUUIDConverter

register_converter(PrefectUUIDConverter, "puuid")
register_converter(InputKeyConverter, "inputkey")

service = ServiceViewSet.as_view
flows = FlowViewSet.as_view
runs = FlowRunViewSet.as_view
states = FlowRunStateViewSet.as_view
queries = FlowRunQueryViewSet.as_view
orchestrate = FlowRunOrchestrationViewSet.as_view
inputs = FlowRunInputViewSet.as_view

urlpatterns = [
    path("health", service({"get": "health"})),
    path("version", service({"get": "version"})),
    path("hello", service({"get": "hello"})),
    path("ready", service({"get": "ready"})),
    path("admin/version", service({"get": "admin_version"})),
    path("csrf-token", service({"get": "csrf_token"})),
    # flows
    path("flows/", flows({"post": "create", "get": "list"})),
    path("flows", flows({"post": "create", "get": "list"})),
    path("flows/filter", flows({"post": "filter"})),
    path("flows/count", flows({"post": "count"})),
    path("flows/name/<str:name>", flows({"get": "retrieve_by_name"})),
    path(
        "flows/<puuid:id>",
        flows({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
    # flow runs
    path("flow_runs/", runs({"post": "create", "get": "list"})),
    path("flow_runs", runs({"post": "create", "get": "list"})),
    path("flow_runs/filter", queries({"post": "filter"})),
    path("flow_runs/count", queries({"post": "count"})),
    path("flow_runs/paginate", queries({"post": "paginate"})),
    path("flow_runs/lateness", queries({"post": "lateness"})),
    path("flow_runs/history", queries({"post": "history"})),
    path("flow_runs/bulk_delete", queries({"post": "bulk_delete"})),
    path("flow_runs/bulk_set_state", orchestrate({"post": "bulk_set_state"})),
    path("flow_runs/<puuid:id>/set_state", orchestrate({"post": "set_state"})),
    path("flow_runs/<puuid:id>/resume", orchestrate({"post": "resume"})),
    path("flow_runs/<puuid:id>/input", inputs({"post": "create"})),
    path("flow_runs/<puuid:id>/input/filter", inputs({"post": "filter"})),
    path(
        "flow_runs/<puuid:id>/input/<inputkey:key>",
        inputs({"get": "retrieve", "delete": "destroy"}),
    ),
    path(
        "flow_runs/<puuid:id>",
        runs({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
    path("flow_runs/<puuid:id>/labels", runs({"patch": "labels"})),
    # flow run states
    path("flow_run_states/", states({"get": "list"})),
    path("flow_run_states", states({"get": "list"})),
    path("flow_run_states/<puuid:id>", states({"get": "retrieve"})),
    path("", include("flowruns.api.task_run_urls")),
    path("", include("logs_app.api.urls")),
    path("", include("concurrency.api.urls")),
    # OpenAPI
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
