"""Reads, PATCH, deletes, pause/resume, schedule sub-routes, automations stubs (spec §5-§11)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from flowruns.models import Deployment, FlowRun
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db
INTERVAL = {"interval": 3600.0, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"}


def _scheduled_run(deployment: dict[str, Any], *, auto: bool, hours: float) -> Any:
    when = timezone.now() + timedelta(hours=hours)
    return FlowRunFactory(
        flow_id=deployment["flow_id"],
        deployment_id=deployment["id"],
        state_type="SCHEDULED",
        state_name="Scheduled",
        auto_scheduled=auto,
        next_scheduled_start_time=when,
    )


def test_read_by_id_and_by_names(create: Any, api: APIClient) -> None:
    data = create()
    assert api.get(f"/api/deployments/{data['id']}").json()["id"] == data["id"]
    assert api.get("/api/deployments/name/hello/served").json()["id"] == data["id"]
    missing = api.get("/api/deployments/name/hello/nope")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Deployment not found"})
    assert api.get("/api/deployments/not-a-uuid").status_code == 404


def test_filter_count_paginate(create: Any, api: APIClient) -> None:
    create(name="b")
    create(name="a", tags=["x"])
    names = [d["name"] for d in api.post("/api/deployments/filter", {}, format="json").json()]
    assert names == ["a", "b"]
    body = {"deployments": {"tags": {"all_": ["x"]}}}
    assert api.post("/api/deployments/count", body, format="json").json() == 1
    page = api.post("/api/deployments/paginate", {"limit": 1, "page": 2}, format="json").json()
    assert (page["count"], page["pages"], page["page"], page["results"][0]["name"]) == (
        2, 2, 2, "b"
    )  # fmt: skip
    bad = api.post("/api/deployments/filter", {"sort": "NOPE"}, format="json")
    assert bad.status_code == 422
    over = api.post("/api/deployments/filter", {"limit": 201}, format="json")
    assert over.json() == {"detail": "Invalid limit: must be less than or equal to 200."}
    nulls = {"flows": None, "deployments": None, "limit": None, "offset": 0, "sort": None}
    assert len(api.post("/api/deployments/filter", nulls, format="json").json()) == 2


def test_filter_by_their_runs_and_the_runs_task_runs(create: Any, api: APIClient) -> None:
    failing, quiet = create(name="failing"), create(name="quiet")
    failed = _scheduled_run(failing, auto=False, hours=-1)
    FlowRun.objects.filter(pk=failed.pk).update(state_type="FAILED", state_name="Failed")
    failed.task_runs.create(name="t", task_key="k", dynamic_key="0", tags=["db"])
    _scheduled_run(quiet, auto=False, hours=1)

    def names(body: dict[str, Any]) -> list[str]:
        reply = api.post("/api/deployments/filter", body, format="json")
        return [d["name"] for d in reply.json()]

    assert names({"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}}) == ["failing"]
    assert names({"task_runs": {"tags": {"all_": ["db"]}}}) == ["failing"]
    assert names({"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}) == ["quiet"]
    both = {"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
            "task_runs": {"tags": {"all_": ["db"]}}}  # fmt: skip
    assert names(both) == []


def test_patch_writes_present_keys_and_drops_future_auto_runs(create: Any, api: APIClient) -> None:
    data = create()
    future = _scheduled_run(data, auto=True, hours=2)
    past = _scheduled_run(data, auto=True, hours=-2)
    response = api.patch(f"/api/deployments/{data['id']}", {"description": "new"}, format="json")
    assert response.status_code == 204
    row = Deployment.objects.get(pk=data["id"])
    assert (row.description, row.tags) == ("new", ["s"])
    assert set(FlowRun.objects.values_list("id", flat=True)) == {past.id}
    assert not FlowRun.objects.filter(pk=future.id).exists()


def test_patch_errors(create: Any, api: APIClient) -> None:
    data = create()
    url = f"/api/deployments/{data['id']}"
    missing = api.patch("/api/deployments/00000000-0000-0000-0000-000000000009", {}, format="json")
    assert missing.json() == {"detail": "Deployment not found."}
    assert api.patch(url, {"name": "x"}, format="json").status_code == 422
    bad = api.patch(url, {"parameters": {"n": "no"}}, format="json")
    assert bad.status_code == 409
    assert bad.json()["detail"].startswith("Error updating deployment: Validation failed")
    pool = api.patch(url, {"work_pool_name": "nope"}, format="json")
    assert (pool.status_code, pool.json()) == (404, {"detail": 'Work pool "nope" not found.'})


def test_patch_schedules_replace_and_targeted_modes(create: Any, api: APIClient) -> None:
    data = create(schedules=[{"schedule": INTERVAL}])
    url = f"/api/deployments/{data['id']}"
    body = {"schedules": [{"schedule": {"cron": "0 7 * * *"}, "slug": "morning"}]}
    assert api.patch(url, body, format="json").status_code == 204
    schedules = api.get(url).json()["schedules"]
    assert [(s["slug"], s["schedule"]["cron"]) for s in schedules] == [("morning", "0 7 * * *")]
    # Every schedule has a slug now: targeted mode updates in place and keeps the others.
    body = {"schedules": [{"slug": "morning", "active": False}]}
    assert api.patch(url, body, format="json").status_code == 204
    after = api.get(url).json()["schedules"]
    assert (after[0]["id"], after[0]["active"]) == (schedules[0]["id"], False)
    no_slug = api.patch(url, {"schedules": [{"schedule": INTERVAL}]}, format="json")
    assert no_slug.status_code == 422
    assert "slug" in no_slug.json()["detail"]


def test_delete_removes_unstarted_scheduled_runs_auto_and_manual(
    create: Any, api: APIClient
) -> None:
    data = create()
    _scheduled_run(data, auto=True, hours=1)
    _scheduled_run(data, auto=False, hours=-1)
    done = FlowRunFactory(flow_id=data["flow_id"], deployment_id=data["id"], state_type="COMPLETED")
    assert api.delete(f"/api/deployments/{data['id']}").status_code == 204
    assert list(FlowRun.objects.values_list("id", flat=True)) == [done.id]
    assert api.delete(f"/api/deployments/{data['id']}").json() == {"detail": "Deployment not found"}


def test_bulk_delete(create: Any, api: APIClient) -> None:
    a = create(name="a")
    create(name="b")
    body = {"deployments": {"name": {"any_": ["a"]}}}
    assert api.post("/api/deployments/bulk_delete", body, format="json").json() == {
        "deleted": [a["id"]]
    }
    assert Deployment.objects.count() == 1


def test_pause_drops_all_auto_runs_and_resume_unpauses(create: Any, api: APIClient) -> None:
    data = create()
    _scheduled_run(data, auto=True, hours=-1)
    _scheduled_run(data, auto=True, hours=1)
    manual = _scheduled_run(data, auto=False, hours=1)
    response = api.post(f"/api/deployments/{data['id']}/pause_deployment")
    assert (response.status_code, response.json()) == (200, None)
    assert list(FlowRun.objects.values_list("id", flat=True)) == [manual.id]
    assert Deployment.objects.get(pk=data["id"]).paused
    api.post(f"/api/deployments/{data['id']}/resume_deployment")
    assert not Deployment.objects.get(pk=data["id"]).paused


def test_schedule_sub_routes(create: Any, api: APIClient) -> None:
    data = create()
    url = f"/api/deployments/{data['id']}/schedules"
    made = api.post(url, [{"schedule": {"interval": 600}, "slug": "s1", "max_scheduled_runs": 5}],
                    format="json")  # fmt: skip
    assert made.status_code == 201
    schedule = made.json()[0]
    assert (schedule["slug"], schedule["max_scheduled_runs"]) == ("s1", 5)
    dup = api.post(url, [{"schedule": {"interval": 600}, "slug": "s1"}], format="json")
    assert dup.json() == {"detail": "Schedule slugs must be unique within a deployment."}
    too_many = api.post(url, [{"schedule": {"interval": 6}, "max_scheduled_runs": 51}],
                        format="json")  # fmt: skip
    assert too_many.status_code == 422
    sid = schedule["id"]
    assert api.patch(f"{url}/{sid}", {"active": False}, format="json").status_code == 204
    listed = api.get(url).json()
    assert listed[0]["active"] is False
    missing = api.patch(f"{url}/{data['id']}", {"active": True}, format="json")
    assert missing.json() == {"detail": "Schedule not found."}
    assert api.delete(f"{url}/{sid}").status_code == 204
    assert api.get(url).json() == []


def test_automation_routes_the_clients_call(api: APIClient, db: None) -> None:
    related = api.get("/api/automations/related-to/prefect.deployment.x")
    assert (related.status_code, related.json()) == (200, [])
    owned = api.delete("/api/automations/owned-by/prefect.deployment.x")
    assert owned.status_code == 202


def test_serve_again_patch_replaces_schedules_clears_queue_and_limit(
    create: Any, api: APIClient
) -> None:
    from flowruns.models import WorkPool

    WorkPool.objects.create(name="proc")
    data = create(schedules=[{"schedule": INTERVAL}], work_pool_name="proc", concurrency_limit=2)
    assert data["global_concurrency_limit"]["limit"] == 2
    body = {
        "version": "v2", "version_info": {"type": "prefect:simple", "version": "v2"},
        "description": None, "parameters": {"name": "x"}, "paused": False,
        "schedules": [{"schedule": {"interval": 60.0, "anchor_date": "2026-01-01T00:00:00Z",
                                    "timezone": "UTC"}, "active": True}],
        "concurrency_limit": None, "concurrency_options": None, "tags": ["s"],
        "work_queue_name": None, "work_pool_name": None, "job_variables": {},
        "entrypoint": "flows.py:hello", "enforce_parameter_schema": True, "pull_steps": None,
    }  # fmt: skip
    assert api.patch(f"/api/deployments/{data['id']}", body, format="json").status_code == 204
    after = api.get(f"/api/deployments/{data['id']}").json()
    assert [s["schedule"]["interval"] for s in after["schedules"]] == [60.0]
    assert (after["work_queue_id"], after["work_pool_name"]) == (None, None)
    assert (after["global_concurrency_limit"], after["pull_steps"]) == (None, None)
    assert (after["version"], after["parameters"]) == ("v2", {"name": "x"})
    assert after["updated"] > data["updated"]


def test_work_queue_check_lists_no_legacy_queues(create: Any, api: APIClient) -> None:
    data = create()
    assert api.get(f"/api/deployments/{data['id']}/work_queue_check").json() == []
    missing = api.get("/api/deployments/00000000-0000-0000-0000-000000000009/work_queue_check")
    assert missing.json() == {"detail": "Deployment not found"}
