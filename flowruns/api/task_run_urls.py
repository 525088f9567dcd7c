"""Routes for task runs and flow-run graphs (included by flowruns.api.urls)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .views.graphs import FlowRunGraphViewSet
from .views.states import TaskRunStateViewSet
from .views.task_runs import TaskRunQueryViewSet, TaskRunViewSet

tasks = TaskRunViewSet.as_view
queries = TaskRunQueryViewSet.as_view
graphs = FlowRunGraphViewSet.as_view
states = TaskRunStateViewSet.as_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("task_runs/", tasks({"post": "create"})),
    path("task_runs", tasks({"post": "create"})),
    path("task_runs/filter", queries({"post": "filter"})),
    path("task_runs/count", queries({"post": "count"})),
    path(
        "task_runs/<puuid:id>",
        tasks({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
    path("task_runs/<puuid:id>/set_state", tasks({"post": "set_state"})),
    path("task_run_states/", states({"get": "list"})),
    path("task_run_states", states({"get": "list"})),
    path("task_run_states/<puuid:id>", states({"get": "retrieve"})),
    path("flow_runs/<puuid:id>/graph", graphs({"get": "graph_v1"})),
    path("flow_runs/<puuid:id>/graph-v2", graphs({"get": "graph_v2"})),
]
