"""Work-pool, worker and legacy work-queue routes, included under /api by config.urls. As in
Prefect, only the collections have both spellings (`/work_pools` and `/work_pools/`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .views.concurrency import ConcurrencyStatusViewSet
from .views.legacy import LegacyWorkQueueViewSet
from .views.pools import WorkPoolViewSet
from .views.queues import WorkPoolQueueViewSet
from .views.workers import WorkerViewSet

pools = WorkPoolViewSet.as_view
queues = WorkPoolQueueViewSet.as_view
workers = WorkerViewSet.as_view
legacy = LegacyWorkQueueViewSet.as_view
slots = ConcurrencyStatusViewSet.as_view

P = "work_pools"
Q = "work_pools/<str:work_pool_name>/queues"
W = "work_pools/<str:work_pool_name>/workers"
L = "work_queues"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{P}/", pools({"post": "create"})),
    path(P, pools({"post": "create"})),
    path(f"{P}/filter", pools({"post": "filter"})),
    path(f"{P}/count", pools({"post": "count"})),
    path(f"{Q}/filter", queues({"post": "filter"})),
    path(Q, queues({"post": "create"})),
    path(
        f"{Q}/<str:name>",
        queues({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
    path(f"{W}/heartbeat", workers({"post": "heartbeat"})),
    path(f"{W}/filter", workers({"post": "filter"})),
    path(f"{W}/connect", workers({"get": "connect"})),
    path(f"{W}/<str:name>", workers({"delete": "destroy"})),
    path(f"{P}/<str:name>/concurrency_status", slots({"post": "pool"})),
    path(f"{P}/<str:name>/get_scheduled_flow_runs", pools({"post": "get_scheduled_flow_runs"})),
    path(
        f"{P}/<str:name>",
        pools({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
    path(f"{L}/", legacy({"post": "create"})),
    path(L, legacy({"post": "create"})),
    path(f"{L}/filter", legacy({"post": "filter"})),
    path(f"{L}/name/<str:name>", legacy({"get": "retrieve_by_name"})),
    path(f"{L}/<puuid:id>/get_runs", legacy({"post": "get_runs"})),
    path(f"{L}/<puuid:id>/status", legacy({"get": "status"})),
    path(f"{L}/<puuid:id>/concurrency_status", slots({"post": "queue"})),
    path(
        f"{L}/<puuid:id>",
        legacy({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
    ),
]
