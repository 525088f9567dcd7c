"""Real concurrent transactions on PostgreSQL: row locks make orchestration race-free.

Each worker is a thread with its own database connection, released together by a barrier so
the requests genuinely overlap. Every scenario is repeated to make a lucky pass unlikely.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from flowruns.models import DeploymentConcurrencyLease, FlowRun, FlowRunState, TaskRun
from logs_app.models import Log
from tests.factories import DeploymentFactory, FlowFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 50
REPEATS = 3


def run_concurrently(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads that start at the same moment; return the results."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = APIClient().post(path, body, format="json")
    return response.status_code, response.json() if response.content else None


def create_run(state: dict[str, Any], **extra: Any) -> str:
    flow = FlowFactory()
    status, body = post("/api/flow_runs/", {"flow_id": str(flow.id), "state": state, **extra})
    assert status == 201
    return body["id"]


def test_database_is_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_only_one_of_fifty_workers_claims_a_scheduled_run(attempt):
    run_id = create_run({"type": "SCHEDULED"})

    results = run_concurrently(
        WORKERS,
        lambda i: post(f"/api/flow_runs/{run_id}/set_state", {"state": {"type": "PENDING"}}),
    )

    assert not [r for r in results if isinstance(r, Exception)]
    statuses = Counter(body["status"] for _, body in results)
    assert statuses == {"ACCEPT": 1, "ABORT": WORKERS - 1}
    assert all(
        body["details"]["reason"]
        == "This run is in a PENDING state and cannot transition to a PENDING state."
        for _, body in results
        if body["status"] == "ABORT"
    )
    assert FlowRunState.objects.filter(flow_run_id=run_id, type="PENDING").count() == 1
    assert FlowRun.objects.get(pk=run_id).state_type == "PENDING"


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_a_retried_transition_is_written_once(attempt):
    run_id = create_run({"type": "PENDING"})
    transition_id = str(uuid.uuid4())
    proposal = {"state": {"type": "RUNNING", "state_details": {"transition_id": transition_id}}}

    results = run_concurrently(
        WORKERS, lambda i: post(f"/api/flow_runs/{run_id}/set_state", proposal)
    )

    assert not [r for r in results if isinstance(r, Exception)]
    statuses = Counter(body["status"] for _, body in results)
    assert statuses == {"ACCEPT": 1, "REJECT": WORKERS - 1}
    running = FlowRunState.objects.filter(flow_run_id=run_id, type="RUNNING")
    assert running.count() == 1
    assert {body["state"]["id"] for _, body in results} == {str(running.get().id)}
    assert FlowRun.objects.get(pk=run_id).run_count == 1


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_concurrent_creates_with_one_idempotency_key_make_one_run(attempt):
    flow = FlowFactory()
    body = {"flow_id": str(flow.id), "idempotency_key": f"key-{attempt}"}

    results = run_concurrently(WORKERS, lambda i: post("/api/flow_runs/", body))

    assert not [r for r in results if isinstance(r, Exception)]
    codes = Counter(status for status, _ in results)
    assert codes == {201: 1, 200: WORKERS - 1}
    assert len({body["id"] for _, body in results}) == 1
    assert FlowRun.objects.filter(flow=flow).count() == 1
    assert FlowRunState.objects.filter(flow_run__flow=flow).count() == 1


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_set_state_racing_delete_never_errors_or_orphans(attempt):
    run_ids = [create_run({"type": "PENDING"}) for _ in range(10)]
    for run_id in run_ids:
        Log.objects.create(
            name="x", level=20, message="m", timestamp="2026-01-01T00:00:00Z", flow_run_id=run_id
        )

    def work(i: int) -> int:
        run_id = run_ids[i // 4]  # four workers per run: two delete it, two move it on
        client = APIClient()
        if i % 2:
            return client.delete(f"/api/flow_runs/{run_id}").status_code
        states = ["RUNNING", "COMPLETED", "FAILED", "CANCELLING", "CANCELLED"]
        body = {"state": {"type": states[i % len(states)]}}
        return client.post(f"/api/flow_runs/{run_id}/set_state", body, format="json").status_code

    results = run_concurrently(40, work)

    assert not [r for r in results if isinstance(r, Exception)]
    assert set(results) <= {200, 201, 204, 404}
    assert not FlowRun.objects.filter(pk__in=run_ids).exists()
    assert not FlowRunState.objects.filter(flow_run_id__in=run_ids).exists()
    assert not Log.objects.filter(flow_run_id__in=run_ids).exists()
    assert not TaskRun.objects.filter(flow_run_id__in=run_ids).exists()


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_a_deployment_limit_of_one_is_never_exceeded(attempt):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_ids = [
        create_run({"type": "SCHEDULED"}, deployment_id=str(deployment.id)) for _ in range(20)
    ]

    results = run_concurrently(
        len(run_ids),
        lambda i: post(f"/api/flow_runs/{run_ids[i]}/set_state", {"state": {"type": "PENDING"}}),
    )

    assert not [r for r in results if isinstance(r, Exception)]
    statuses = Counter(body["status"] for _, body in results)
    assert statuses == {"ACCEPT": 1, "REJECT": len(run_ids) - 1}
    assert all(
        body["state"]["name"] == "AwaitingConcurrencySlot"
        for _, body in results
        if body["status"] == "REJECT"
    )
    assert DeploymentConcurrencyLease.objects.filter(deployment=deployment).count() == 1
    assert FlowRun.objects.filter(pk__in=run_ids, state_type="PENDING").count() == 1

    # The holder finishes: its slot comes back, and exactly one waiting run can take it.
    holder = FlowRun.objects.get(pk__in=run_ids, state_type="PENDING")
    for state in ("RUNNING", "COMPLETED"):
        post(f"/api/flow_runs/{holder.id}/set_state", {"state": {"type": state}})
    assert DeploymentConcurrencyLease.objects.filter(deployment=deployment).count() == 0
    waiting = [str(r) for r in run_ids if str(r) != str(holder.id)]
    results = run_concurrently(
        len(waiting),
        lambda i: post(f"/api/flow_runs/{waiting[i]}/set_state", {"state": {"type": "PENDING"}}),
    )
    statuses = Counter(body["status"] for _, body in results)
    assert statuses["ACCEPT"] == 1
    assert DeploymentConcurrencyLease.objects.filter(deployment=deployment).count() == 1
