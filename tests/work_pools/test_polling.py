"""`POST /work_pools/{name}/get_scheduled_flow_runs` (spec/work_pools.md §5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from flowruns.models import Deployment, WorkQueue
from tests.factories import DeploymentFactory, FlowRunFactory

from .helpers import pool, queue

pytestmark = pytest.mark.django_db

CORE_KEYS = [
    "id", "created", "updated", "name", "flow_id", "state_id", "deployment_id",
    "deployment_version", "work_queue_name", "flow_version", "parameters", "idempotency_key",
    "context", "empirical_policy", "tags", "labels", "parent_task_run_id", "state_type",
    "state_name", "run_count", "expected_start_time", "next_scheduled_start_time",
    "start_time", "end_time", "total_run_time", "estimated_run_time",
    "estimated_start_time_delta", "auto_scheduled", "infrastructure_document_id",
    "infrastructure_pid", "created_by", "work_queue_id", "state", "job_variables",
]  # fmt: skip


def scheduled(queue_id, minutes_ago=1, **extra):
    when = timezone.now() - timedelta(minutes=minutes_ago)
    return FlowRunFactory(
        work_queue_id=queue_id,
        state_type="SCHEDULED",
        next_scheduled_start_time=when,
        expected_start_time=when,
        with_state=True,
        **extra,
    )


def poll(api, name="p1", **body):
    response = api.post(f"/api/work_pools/{name}/get_scheduled_flow_runs", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_answer_is_worker_flow_run_responses_with_the_core_run_shape(api):
    p = pool(api, "p1")
    run = scheduled(p["default_queue_id"])
    [item] = poll(api, work_queue_names=[], scheduled_before="2999-01-01 00:00:00+00:00")
    assert list(item) == ["work_pool_id", "work_queue_id", "flow_run"]
    assert (item["work_pool_id"], item["work_queue_id"]) == (p["id"], p["default_queue_id"])
    assert list(item["flow_run"]) == CORE_KEYS
    assert item["flow_run"]["id"] == str(run.id)
    assert item["flow_run"]["state"] is None
    assert item["flow_run"]["state_id"] == str(run.state_id)
    assert item["flow_run"]["state_type"] == "SCHEDULED"


def test_a_run_is_handed_out_once_until_its_claim_lapses(api):
    p = pool(api, "p1")
    scheduled(p["default_queue_id"])
    assert len(poll(api)) == 1
    assert poll(api) == []
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert len(poll(api)) == 1
        assert poll(api) == []


def test_queue_priority_then_schedule_order_and_the_verified_limits(api):
    pool(api, "p1", concurrency_limit=2)
    high = queue(api, "p1", "high", priority=1, concurrency_limit=1)
    default = WorkQueue.objects.get(work_pool__name="p1", name="default")
    d1 = scheduled(default.pk, minutes_ago=10)
    scheduled(default.pk, minutes_ago=9)
    h1 = scheduled(high["id"], minutes_ago=2)
    scheduled(high["id"], minutes_ago=1)
    ids = [item["flow_run"]["id"] for item in poll(api)]
    assert ids == [str(h1.id), str(d1.id)]


def test_pool_limit_zero_paused_pool_and_paused_queue_give_nothing(api):
    p = pool(api, "p1", concurrency_limit=0)
    scheduled(p["default_queue_id"])
    assert poll(api) == []
    api.patch("/api/work_pools/p1", {"concurrency_limit": None, "is_paused": True}, format="json")
    assert poll(api) == []
    api.patch("/api/work_pools/p1", {"is_paused": False}, format="json")
    api.patch("/api/work_pools/p1/queues/default", {"is_paused": True}, format="json")
    assert poll(api) == []


def test_running_runs_fill_the_queue_limit(api):
    pool(api, "p1")
    q = queue(api, "p1", "q", concurrency_limit=1)
    FlowRunFactory(work_queue_id=q["id"], state_type="RUNNING")
    scheduled(q["id"])
    assert poll(api) == []


def test_time_bounds_named_queues_and_in_process_retries(api):
    pool(api, "p1")
    a = queue(api, "p1", "a")
    b = queue(api, "p1", "b")
    future = scheduled(a["id"], minutes_ago=-60)
    scheduled(a["id"], empirical_policy={"retry_type": "in_process"})
    in_b = scheduled(b["id"])
    assert [i["flow_run"]["id"] for i in poll(api, work_queue_names=["b"])] == [str(in_b.id)]
    assert poll(api, scheduled_before=timezone.now().isoformat()) == []
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    assert [i["flow_run"]["id"] for i in poll(api, scheduled_before=later)] == [str(future.id)]


def test_missing_pool_or_queue_is_404(api):
    response = api.post("/api/work_pools/nope/get_scheduled_flow_runs", {}, format="json")
    assert response.json() == {"detail": 'Work pool "nope" not found.'}
    pool(api, "p1")
    body = {"work_queue_names": ["nope"]}
    response = api.post("/api/work_pools/p1/get_scheduled_flow_runs", body, format="json")
    assert (response.status_code, response.json()) == (
        404, {"detail": "Work pool queue 'p1/nope' not found."}
    )  # fmt: skip


def test_poll_readies_queues_and_deployments_without_touching_updated(api):
    p = pool(api, "p1")
    deployment = DeploymentFactory(work_queue_id=p["default_queue_id"])
    before = Deployment.objects.get(pk=deployment.pk).updated
    poll(api)
    deployment.refresh_from_db()
    assert (deployment.status, deployment.updated) == ("READY", before)
    assert deployment.last_polled is not None
    body = api.get("/api/work_pools/p1/queues/default").json()
    assert body["status"] == "READY"
    assert body["last_polled"] is not None
