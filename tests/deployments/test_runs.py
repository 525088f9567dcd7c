"""Runs from deployments (spec §8, §9, §12.6) and status/last_polled (§13)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from deployments.services.readiness import deployments_mark_not_ready
from flowruns.models import Deployment, FlowRun, WorkPool, WorkQueue

pytestmark = pytest.mark.django_db
INTERVAL = {"interval": 3600.0, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"}


def test_create_flow_run_merges_parameters_tags_and_labels(create: Any, api: APIClient) -> None:
    data = create(labels={"team": "a"})
    body = {"parameters": {"n": 2}, "tags": ["extra"], "labels": {"x": "1"},
            "job_variables": {"env": {"X": "1"}}}  # fmt: skip
    response = api.post(f"/api/deployments/{data['id']}/create_flow_run", body, format="json")
    assert response.status_code == 201, response.json()
    run = response.json()
    assert run["parameters"] == {"name": "srv", "n": 2}
    assert set(run["tags"]) == {"s", "extra"}
    assert run["deployment_id"] == data["id"]
    assert run["state"]["type"] == "SCHEDULED"
    assert run["job_variables"] == {"env": {"X": "1"}}
    assert run["labels"] == {
        "team": "a", "prefect.flow.id": data["flow_id"], "prefect.deployment.id": data["id"],
        "x": "1",
    }  # fmt: skip
    again = api.post(
        f"/api/deployments/{data['id']}/create_flow_run",
        {"idempotency_key": "k"},
        format="json",
    )
    same = api.post(
        f"/api/deployments/{data['id']}/create_flow_run",
        {"idempotency_key": "k"},
        format="json",
    )
    assert (again.status_code, same.status_code) == (201, 200)
    assert again.json()["id"] == same.json()["id"]


def test_create_flow_run_validates_against_the_schema(create: Any, api: APIClient) -> None:
    required = {"type": "object", "properties": {"y": {"type": "string"}}, "required": ["y"]}
    data = create(parameter_openapi_schema=required, parameters={})
    url = f"/api/deployments/{data['id']}/create_flow_run"
    missing = api.post(url, {}, format="json")
    assert missing.status_code == 409
    assert missing.json() == {
        "detail": "Error creating flow run: Validation failed. Failure reason: 'y' is a required "
        "property"
    }
    wrong = api.post(url, {"parameters": {"y": 3}}, format="json")
    assert wrong.json()["detail"] == (
        "Error creating flow run: Validation failed for field 'y'. Failure reason: 3 is not of "
        "type 'string'"
    )
    unenforced = api.post(url, {"enforce_parameter_schema": False}, format="json")
    assert unenforced.status_code == 201
    assert FlowRun.objects.count() == 1
    missing_dep = api.post(
        "/api/deployments/00000000-0000-0000-0000-000000000009/create_flow_run", {}, format="json"
    )
    assert missing_dep.json() == {"detail": "Deployment not found"}


def test_bulk_reports_each_item(create: Any, api: APIClient) -> None:
    data = create()
    url = f"/api/deployments/{data['id']}/create_flow_run/bulk"
    response = api.post(url, [{"parameters": {"n": 1}}, {"parameters": {"n": "x"}}], format="json")
    assert response.status_code == 200
    ok, failed = response.json()["results"]
    assert ok["status"] == "CREATED" and ok["error"] is None
    assert failed["status"] == "FAILED" and failed["flow_run_id"] is None
    assert failed["error"].startswith("Parameter validation failed: Validation failed for field")
    assert api.post(url, [{}] * 101, format="json").json() == {
        "detail": "Cannot create more than 100 flow runs at once."
    }
    assert api.post(url, [], format="json").json() == {"results": []}


def test_work_queue_name_needs_a_pool(create: Any, api: APIClient) -> None:
    data = create()
    response = api.post(
        f"/api/deployments/{data['id']}/create_flow_run",
        {"work_queue_name": "q"},
        format="json",
    )
    assert response.status_code == 400
    pool = WorkPool.objects.create(name="proc")
    pooled = create(name="pooled", work_pool_name="proc")
    response = api.post(
        f"/api/deployments/{pooled['id']}/create_flow_run",
        {"work_queue_name": "q"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["work_queue_name"] == "q"
    assert WorkQueue.objects.filter(work_pool=pool, name="q").exists()


def test_get_scheduled_flow_runs_lists_due_runs_and_marks_ready(
    create: Any, api: APIClient
) -> None:
    data = create()
    url = f"/api/deployments/{data['id']}/create_flow_run"
    soon = timezone.now() + timedelta(seconds=5)
    late = timezone.now() + timedelta(hours=5)
    for when in (late, soon):
        state = {"type": "SCHEDULED", "state_details": {"scheduled_time": when.isoformat()}}
        api.post(url, {"state": state}, format="json")
    updated = Deployment.objects.get(pk=data["id"]).updated
    before = (timezone.now() + timedelta(seconds=10)).isoformat(sep=" ")
    response = api.post(
        "/api/deployments/get_scheduled_flow_runs",
        {"deployment_ids": [data["id"]], "scheduled_before": before},
        format="json",
    )
    assert response.status_code == 200
    assert len(response.json()) == 1
    row = Deployment.objects.get(pk=data["id"])
    assert row.status == "READY" and row.last_polled is not None
    assert row.updated == updated
    missing = api.post("/api/deployments/get_scheduled_flow_runs", {}, format="json")
    assert missing.status_code == 422


def test_mark_not_ready_after_the_timeout(create: Any) -> None:
    data = create()
    now = timezone.now()
    Deployment.objects.filter(pk=data["id"]).update(status="READY", last_polled=now)
    assert deployments_mark_not_ready(now=now + timedelta(seconds=30)) == 0
    assert deployments_mark_not_ready(now=now + timedelta(seconds=61)) == 1
    assert Deployment.objects.get(pk=data["id"]).status == "NOT_READY"


def test_mark_not_ready_keeps_a_deployment_whose_queue_was_polled(create: Any) -> None:
    WorkPool.objects.create(name="proc")
    data = create(work_pool_name="proc", work_queue_name="q")
    now = timezone.now()
    Deployment.objects.filter(pk=data["id"]).update(
        status="READY", last_polled=now - timedelta(minutes=5)
    )
    WorkQueue.objects.filter(name="q").update(last_polled=now)
    assert deployments_mark_not_ready(now=now) == 0


def test_manual_schedule_route_backfills(create: Any, api: APIClient) -> None:
    data = create(schedules=[{"schedule": INTERVAL}])
    body = {"start_time": "2030-01-01T00:00:00Z", "min_runs": 2, "max_runs": 2}
    response = api.post(f"/api/deployments/{data['id']}/schedule", body, format="json")
    assert (response.status_code, response.json()) == (200, None)
    times = sorted(FlowRun.objects.values_list("next_scheduled_start_time", flat=True))
    assert [t.isoformat() for t in times] == [
        "2030-01-01T00:00:00+00:00", "2030-01-01T01:00:00+00:00"
    ]  # fmt: skip
    unknown = api.post("/api/deployments/00000000-0000-0000-0000-000000000009/schedule", {},
                       format="json")  # fmt: skip
    assert (unknown.status_code, unknown.json()) == (200, None)
