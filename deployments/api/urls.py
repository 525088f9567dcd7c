"""Deployment routes (spec/deployments.md §0), included under /api by config.urls. Prefect's
exact paths; `puuid` segments (registered by flowruns.api.urls) never match a non-UUID."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

import flowruns.api.urls  # noqa: F401  (registers the `puuid` converter)

from .run_views import DeploymentRunViewSet
from .schedule_views import AutomationStubViewSet, DeploymentScheduleViewSet
from .views import DeploymentViewSet

deployments = DeploymentViewSet.as_view
runs = DeploymentRunViewSet.as_view
schedules = DeploymentScheduleViewSet.as_view
automations = AutomationStubViewSet.as_view

D = "deployments"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{D}/", deployments({"post": "create"})),
    path(D, deployments({"post": "create"})),
    path(f"{D}/filter", deployments({"post": "filter"})),
    path(f"{D}/count", deployments({"post": "count"})),
    path(f"{D}/paginate", deployments({"post": "paginate"})),
    path(f"{D}/bulk_delete", deployments({"post": "bulk_delete"})),
    path(f"{D}/get_scheduled_flow_runs", runs({"post": "get_scheduled_flow_runs"})),
    path(
        f"{D}/name/<str:flow_name>/<str:deployment_name>",
        deployments({"get": "retrieve_by_name"}),
    ),
    path(
        f"{D}/<puuid:id>",
        deployments({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
    path(f"{D}/<puuid:id>/create_flow_run", runs({"post": "create_flow_run"})),
    path(f"{D}/<puuid:id>/create_flow_run/bulk", runs({"post": "create_flow_run_bulk"})),
    path(f"{D}/<puuid:id>/pause_deployment", deployments({"post": "pause"})),
    path(f"{D}/<puuid:id>/resume_deployment", deployments({"post": "resume"})),
    path(f"{D}/<puuid:id>/schedule", runs({"post": "schedule"})),
    path(f"{D}/<puuid:id>/schedules", schedules({"get": "list_schedules", "post": "create"})),
    path(
        f"{D}/<puuid:id>/schedules/<puuid:schedule_id>",
        schedules({"patch": "partial_update", "delete": "destroy"}),
    ),
    path("automations/owned-by/<str:resource_id>", automations({"delete": "delete_owned_by"})),
    path("automations/related-to/<str:resource_id>", automations({"get": "related_to"})),
]
