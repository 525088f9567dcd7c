"""Queues inside a pool and the legacy id-based routes (spec/work_pools.md §4, §7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from flowruns.models import WorkPool, WorkQueue
from tests.factories import FlowRunFactory

from .helpers import errors, pool, priorities, queue

pytestmark = pytest.mark.django_db

QUEUE_KEYS = [
    "id", "created", "updated", "name", "description", "is_paused", "concurrency_limit",
    "priority", "work_pool_id", "filter", "last_polled", "work_pool_name", "status",
    "active_slots",
]  # fmt: skip


def test_create_answers_the_queue_in_prefect_key_order(api):
    pool(api, "p1")
    body = queue(api, "p1", "high", concurrency_limit=1, priority=1, description=None)
    assert list(body) == QUEUE_KEYS
    assert (body["description"], body["status"], body["active_slots"]) == ("", "NOT_READY", 0)
    assert body["work_pool_name"] == "p1"


def test_created_paused_is_still_not_ready(api):
    pool(api, "p1")
    assert queue(api, "p1", "q", is_paused=True)["status"] == "NOT_READY"


def test_priority_walk_matches_the_verified_sequence(api):
    pool(api, "p1")
    queue(api, "p1", "high", priority=1)
    assert priorities(api, "p1") == {"high": 1, "default": 2}
    queue(api, "p1", "low")
    assert priorities(api, "p1") == {"high": 1, "default": 2, "low": 3}
    assert (
        api.patch("/api/work_pools/p1/queues/low", {"priority": 1}, format="json").status_code
        == 204
    )
    assert priorities(api, "p1") == {"low": 1, "high": 2, "default": 3}
    assert api.delete("/api/work_pools/p1/queues/low").status_code == 204
    assert priorities(api, "p1") == {"high": 2, "default": 3}


def test_no_priority_takes_the_first_gap(api):
    pool(api, "p1")
    queue(api, "p1", "b", priority=2)
    queue(api, "p1", "d", priority=4)
    assert queue(api, "p1", "c")["priority"] == 3


def test_filter_orders_by_priority_and_list_is_404_for_missing_pool(api):
    pool(api, "p1")
    queue(api, "p1", "first", priority=1)
    body = {"work_queues": None, "limit": None, "offset": None}
    names = [
        q["name"] for q in api.post("/api/work_pools/p1/queues/filter", body, format="json").json()
    ]
    assert names == ["first", "default"]
    response = api.post("/api/work_pools/nope/queues/filter", body, format="json")
    assert response.json() == {"detail": 'Work pool "nope" not found.'}


def test_duplicate_and_missing(api):
    pool(api, "p1")
    queue(api, "p1", "q")
    response = api.post("/api/work_pools/p1/queues", {"name": "q"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("A work queue with this name already exists")
    response = api.get("/api/work_pools/p1/queues/nope")
    assert response.json() == {"detail": "Work pool queue 'p1/nope' not found."}
    response = api.post("/api/work_pools/nope/queues", {"name": "q"}, format="json")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": 'Work pool "nope" not found.'},
    )


def test_bad_bodies_are_422_and_store_nothing(api):
    pool(api, "p1")
    for bad in ({"name": "a/b"}, {"name": "q", "priority": 0}, {"name": "q", "x": 1}):
        assert api.post("/api/work_pools/p1/queues", bad, format="json").status_code == 422
    assert WorkQueue.objects.count() == 1
    assert errors(api.patch("/api/work_pools/p1/queues/default", {"x": 1}, format="json"))


def test_pause_and_resume_status(api):
    pool(api, "p1")
    api.patch("/api/work_pools/p1/queues/default", {"is_paused": True}, format="json")
    assert api.get("/api/work_pools/p1/queues/default").json()["status"] == "PAUSED"
    api.patch("/api/work_pools/p1/queues/default", {"is_paused": False}, format="json")
    assert api.get("/api/work_pools/p1/queues/default").json()["status"] == "NOT_READY"
    api.patch("/api/work_pools/p1/queues/default", {"is_paused": True}, format="json")
    polled = timezone.now() - timedelta(seconds=5)
    body = {"is_paused": False, "last_polled": polled.isoformat()}
    api.patch("/api/work_pools/p1/queues/default", body, format="json")
    assert api.get("/api/work_pools/p1/queues/default").json()["status"] == "READY"


def test_rename_and_clear_limit(api):
    pool(api, "p1")
    queue(api, "p1", "q", concurrency_limit=2)
    api.patch(
        "/api/work_pools/p1/queues/q", {"name": "r", "concurrency_limit": None}, format="json"
    )
    body = api.get("/api/work_pools/p1/queues/r").json()
    assert (body["concurrency_limit"], body["active_slots"]) == (None, None)


def test_deleting_the_default_queue_is_409(api):
    pool(api, "p1")
    response = api.delete("/api/work_pools/p1/queues/default")
    assert (response.status_code, response.json()) == (
        409, {"detail": "Can't delete a pool's default queue."}
    )  # fmt: skip


def test_deleting_a_queue_detaches_its_runs(api):
    pool(api, "p1")
    q = queue(api, "p1", "q")
    run = FlowRunFactory(work_queue_id=q["id"])
    api.delete("/api/work_pools/p1/queues/q")
    run.refresh_from_db()
    assert run.work_queue_id is None


# Legacy /work_queues


def test_legacy_create_goes_to_default_agent_pool(api):
    response = api.post("/api/work_queues/", {"name": "legacyq"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["work_pool_name"] == "default-agent-pool"
    agent = WorkPool.objects.get(name="default-agent-pool")
    assert (agent.type, agent.default_queue.name) == ("prefect-agent", "default")
    assert api.get("/api/work_pools/default-agent-pool").json()["status"] is None
    response = api.post("/api/work_queues/", {"name": "legacyq"}, format="json")
    assert response.json() == {"detail": "A work queue with this name already exists."}
    assert api.get("/api/work_queues/name/legacyq").json()["id"] == body["id"]


def test_legacy_read_by_name_looks_only_in_default_agent_pool(api):
    pool(api, "p1")
    q = queue(api, "p1", "wq1")
    assert api.get(f"/api/work_queues/{q['id']}").json() == q
    response = api.get("/api/work_queues/name/wq1")
    assert (response.status_code, response.json()) == (404, {"detail": "work queue not found"})


def test_legacy_patch_delete_filter(api):
    pool(api, "p1")
    q = queue(api, "p1", "wq1")
    assert (
        api.patch(
            f"/api/work_queues/{q['id']}", {"concurrency_limit": 3}, format="json"
        ).status_code
        == 204
    )
    assert api.get(f"/api/work_queues/{q['id']}").json()["concurrency_limit"] == 3
    missing = "00000000-0000-0000-0000-000000000001"
    response = api.patch(f"/api/work_queues/{missing}", {}, format="json")
    assert response.json() == {"detail": f"Work Queue {missing} not found"}
    names = [x["name"] for x in api.post("/api/work_queues/filter", {}, format="json").json()]
    assert names == ["default", "wq1"]
    assert api.delete(f"/api/work_queues/{q['id']}").status_code == 204
    assert api.delete(f"/api/work_queues/{q['id']}").json() == {"detail": "work queue not found"}
    default = WorkPool.objects.get(name="p1").default_queue_id
    assert api.delete(f"/api/work_queues/{default}").status_code == 409


def test_legacy_status(api):
    pool(api, "p1")
    q = queue(api, "p1", "wq1")
    body = api.get(f"/api/work_queues/{q['id']}/status").json()
    assert body == {
        "healthy": False,
        "late_runs_count": 0,
        "last_polled": None,
        "health_check_policy": {"maximum_late_runs": 0, "maximum_seconds_since_last_polled": 60},
    }
    api.post(f"/api/work_queues/{q['id']}/get_runs", {}, format="json")
    assert api.get(f"/api/work_queues/{q['id']}/status").json()["healthy"] is True
    FlowRunFactory(work_queue_id=q["id"], state_type="SCHEDULED", state_name="Late")
    body = api.get(f"/api/work_queues/{q['id']}/status").json()
    assert (body["healthy"], body["late_runs_count"]) == (False, 1)
    missing = "00000000-0000-0000-0000-000000000001"
    response = api.get(f"/api/work_queues/{missing}/status")
    assert response.json() == {"exception_message": f"Work queue with id {missing} not found"}


def test_legacy_get_runs(api):
    pool(api, "p1")
    q = queue(api, "p1", "wq1", concurrency_limit=2)
    now = timezone.now()
    late = FlowRunFactory(
        work_queue_id=q["id"],
        work_queue_name="wq1",
        state_type="SCHEDULED",
        next_scheduled_start_time=now - timedelta(minutes=2),
    )
    FlowRunFactory(
        work_queue_id=q["id"],
        work_queue_name="wq1",
        state_type="SCHEDULED",
        next_scheduled_start_time=now - timedelta(minutes=1),
    )
    FlowRunFactory(work_queue_id=q["id"], work_queue_name="wq1", state_type="RUNNING")
    ui = api.post(
        f"/api/work_queues/{q['id']}/get_runs", {}, format="json", HTTP_X_PREFECT_UI="true"
    )
    assert [r["id"] for r in ui.json()] == [str(late.id)]
    assert "work_pool_name" in ui.json()[0]
    assert WorkQueue.objects.get(pk=q["id"]).last_polled is None
    api.post(f"/api/work_queues/{q['id']}/get_runs", {}, format="json")
    assert WorkQueue.objects.get(pk=q["id"]).status == "READY"
