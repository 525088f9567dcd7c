"""Routes for logs (included under /api by flowruns.api.urls, which registers `puuid`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .views import FlowRunLogsViewSet, LogViewSet

logs = LogViewSet.as_view
run_logs = FlowRunLogsViewSet.as_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("logs/", logs({"post": "create"})),
    path("logs", logs({"post": "create"})),
    path("logs/filter", logs({"post": "filter"})),
    path("flow_runs/<puuid:id>/logs/download", run_logs({"get": "download"})),
]
