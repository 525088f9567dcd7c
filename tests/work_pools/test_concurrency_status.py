"""The UI's slot-holder routes (spec/work_pools.md §8)."""

from __future__ import annotations

import pytest

from tests.factories import FlowRunFactory

from .helpers import pool, queue

pytestmark = pytest.mark.django_db


def test_pool_concurrency_status_lists_holders_per_queue(api):
    p = pool(api, "p1", concurrency_limit=3)
    q = queue(api, "p1", "q", concurrency_limit=1)
    run = FlowRunFactory(work_queue_id=q["id"], state_type="RUNNING", name="r1")
    FlowRunFactory(work_queue_id=p["default_queue_id"], state_type="SCHEDULED")
    body = api.post("/api/work_pools/p1/concurrency_status", {}, format="json").json()
    assert list(body) == ["active_slots", "concurrency_limit", "queues", "count", "limit",
                          "pages", "page"]  # fmt: skip
    assert (body["active_slots"], body["concurrency_limit"], body["count"]) == (1, 3, 2)
    by_name = {x["queue_name"]: x for x in body["queues"]}
    assert by_name["q"]["flow_run_count"] == 1
    [holder] = by_name["q"]["flow_runs"]
    assert (holder["id"], holder["state_type"]) == (str(run.id), "RUNNING")
    assert list(holder) == ["id", "name", "state_type", "state_name", "start_time",
                            "state_timestamp", "time_in_current_state"]  # fmt: skip
    response = api.post("/api/work_pools/nope/concurrency_status", {}, format="json")
    assert response.json() == {"detail": "Work pool 'nope' not found."}


def test_queue_concurrency_status(api):
    pool(api, "p1")
    q = queue(api, "p1", "q", concurrency_limit=2)
    FlowRunFactory(work_queue_id=q["id"], state_type="PENDING")
    body = api.post(f"/api/work_queues/{q['id']}/concurrency_status", {}, format="json").json()
    assert (body["active_slots"], body["concurrency_limit"], body["count"]) == (1, 2, 1)
    missing = "00000000-0000-0000-0000-000000000001"
    response = api.post(f"/api/work_queues/{missing}/concurrency_status", {}, format="json")
    assert response.json() == {"detail": "Work queue not found."}
