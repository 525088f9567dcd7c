"""Heartbeats, the worker list and the foreman (spec/work_pools.md §3.6, §6, §9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from background.conf import reset
from background.registry import services_all
from flowruns.models import Deployment, Worker, WorkPool, WorkQueue
from tests.factories import DeploymentFactory
from work_pools import foreman

from .helpers import pool

pytestmark = pytest.mark.django_db

WORKER_KEYS = [
    "id", "created", "updated", "name", "work_pool_id", "last_heartbeat_time",
    "heartbeat_interval_seconds", "status",
]  # fmt: skip


def beat(api, name="w-1", pool_name="p1", **extra):
    body = {"name": name, **extra}
    return api.post(f"/api/work_pools/{pool_name}/workers/heartbeat", body, format="json")


def status(api, name="p1"):
    return api.get(f"/api/work_pools/{name}").json()["status"]


def test_heartbeat_upserts_an_online_worker_and_readies_the_pool(api):
    pool(api, "p1")
    response = beat(api, heartbeat_interval_seconds=30, worker_metadata={"x": 1})
    assert (response.status_code, response.content) == (204, b"")
    assert status(api) == "READY"
    beat(api)  # null interval: unchanged
    [worker] = api.post("/api/work_pools/p1/workers/filter", {}, format="json").json()
    assert list(worker) == WORKER_KEYS
    assert (worker["name"], worker["status"], worker["heartbeat_interval_seconds"]) == (
        "w-1", "ONLINE", 30
    )  # fmt: skip


def test_heartbeat_errors(api):
    assert beat(api, pool_name="nope").json() == {"detail": 'Work pool "nope" not found.'}
    pool(api, "p1")
    response = api.post("/api/work_pools/p1/workers/heartbeat", {}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "name"]


def test_heartbeat_while_paused_keeps_paused(api):
    pool(api, "p1", is_paused=True)
    beat(api)
    assert status(api) == "PAUSED"
    api.patch("/api/work_pools/p1", {"is_paused": False}, format="json")
    assert status(api) == "READY"


def test_worker_filter_by_status_and_order_and_delete(api):
    pool(api, "p1")
    beat(api, "old")
    beat(api, "new")
    Worker.objects.filter(name="old").update(status="OFFLINE")
    names = [
        w["name"] for w in api.post("/api/work_pools/p1/workers/filter", {}, format="json").json()
    ]
    assert names == ["new", "old"]
    body = {"workers": {"status": {"any_": ["ONLINE"]}}, "offset": None, "limit": None}
    online = api.post("/api/work_pools/p1/workers/filter", body, format="json").json()
    assert [w["name"] for w in online] == ["new"]
    assert api.delete("/api/work_pools/p1/workers/old").status_code == 204
    response = api.delete("/api/work_pools/p1/workers/old")
    assert (response.status_code, response.json()) == (404, {"detail": "Worker not found."})


def test_worker_websocket_is_404(api):
    pool(api, "p1")
    assert api.get("/api/work_pools/p1/workers/connect").status_code == 404


def test_foreman_is_registered_with_prefects_settings_and_alias(monkeypatch):
    assert "foreman" in [s.name for s in services_all()]
    monkeypatch.setenv("PREFECT_API_SERVICES_FOREMAN_LOOP_SECONDS", "7")
    reset()
    try:
        assert foreman.foreman_settings().interval == timedelta(seconds=7)
    finally:
        monkeypatch.delenv("PREFECT_API_SERVICES_FOREMAN_LOOP_SECONDS")
        reset()


def test_foreman_marks_silent_workers_offline_and_their_pool_not_ready(api):
    pool(api, "p1")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        beat(api, heartbeat_interval_seconds=5)
    foreman.sweep(start + timedelta(seconds=14))
    assert (Worker.objects.get().status, status(api)) == ("ONLINE", "READY")
    result = foreman.sweep(start + timedelta(seconds=16))
    assert (Worker.objects.get().status, status(api)) == ("OFFLINE", "NOT_READY")
    assert result.changed == 2


def test_foreman_uses_the_fallback_interval_when_a_worker_sent_none(api):
    pool(api, "p1")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        beat(api)
    foreman.sweep(start + timedelta(seconds=89))
    assert Worker.objects.get().status == "ONLINE"
    foreman.sweep(start + timedelta(seconds=91))
    assert Worker.objects.get().status == "OFFLINE"


def test_foreman_leaves_paused_pools_and_queues(api):
    pool(api, "p1", is_paused=True)
    WorkQueue.objects.update(status="PAUSED", last_polled=timezone.now() - timedelta(hours=1))
    foreman.sweep(timezone.now())
    assert WorkPool.objects.get().status == "PAUSED"
    assert WorkQueue.objects.get().status == "PAUSED"


def test_foreman_marks_queues_and_deployments_not_ready_after_a_minute(api):
    p = pool(api, "p1")
    deployment = DeploymentFactory(work_queue_id=p["default_queue_id"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.post("/api/work_pools/p1/get_scheduled_flow_runs", {}, format="json")
    foreman.sweep(start + timedelta(seconds=59))
    assert WorkQueue.objects.get().status == "READY"
    assert Deployment.objects.get().status == "READY"
    foreman.sweep(start + timedelta(seconds=61))
    assert WorkQueue.objects.get().status == "NOT_READY"
    deployment.refresh_from_db()
    assert deployment.status == "NOT_READY"
