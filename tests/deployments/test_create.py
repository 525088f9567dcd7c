"""POST /deployments/ (spec/deployments.md §2.1, §3.1, §4)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from flowruns.models import Deployment, DeploymentSchedule, FlowRun, WorkPool

from .conftest import deployment_body

pytestmark = pytest.mark.django_db

KEYS = [
    "id", "created", "updated", "name", "version", "description", "flow_id", "paused",
    "schedules", "concurrency_limit", "global_concurrency_limit", "concurrency_options",
    "job_variables", "parameters", "tags", "labels", "work_queue_name", "work_queue_id",
    "last_polled", "parameter_openapi_schema", "path", "pull_steps", "entrypoint",
    "storage_document_id", "infrastructure_document_id", "created_by", "updated_by",
    "work_pool_name", "status", "enforce_parameter_schema",
]  # fmt: skip


def test_create_answers_201_with_every_key_in_prefects_order(api: APIClient, flow: Any) -> None:
    body = deployment_body(
        flow.id,
        schedules=[{"schedule": {"interval": 3600.0, "anchor_date": "2026-01-01T00:00:00Z",
                                  "timezone": "UTC"}, "active": True, "max_scheduled_runs": None,
                     "parameters": {}, "slug": None, "replaces": None}],
        version_info={"type": "prefect:simple", "version": "abc"},
        description="None",
    )  # fmt: skip
    response = api.post("/api/deployments/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert list(data) == KEYS
    assert data["labels"] == {"prefect.flow.id": str(flow.id)}
    assert data["pull_steps"] == []
    assert data["status"] == "NOT_READY"
    assert data["description"] == "None"
    assert data["schedules"][0]["schedule"] == {
        "interval": 3600.0, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"
    }  # fmt: skip
    assert list(data["schedules"][0]) == [
        "id", "created", "updated", "deployment_id", "schedule", "active",
        "max_scheduled_runs", "parameters", "slug",
    ]  # fmt: skip


def test_second_post_upserts_with_200_and_replaces_schedules(create: Any, api: APIClient) -> None:
    first = create(schedules=[{"schedule": {"cron": "0 9 * * *"}}], labels={"team": "a"})
    second_body = deployment_body(first["flow_id"], tags=["t2"])
    response = api.post("/api/deployments/", second_body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == first["id"]
    assert data["tags"] == ["t2"]
    assert data["schedules"] == []
    assert "team" not in data["labels"]
    assert Deployment.objects.count() == 1


def test_unknown_flow_is_409(api: APIClient, db: None) -> None:
    body = deployment_body("00000000-0000-0000-0000-000000000001")
    response = api.post("/api/deployments/", body, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"name": "a/b"}, "string_pattern_mismatch"),
        ({"concurrency_limit": 0}, "greater_than"),
        ({"bogus": 1}, "extra_forbidden"),
        ({"parameters": {"n": "notint"}}, "Validation failed for field 'n'"),
        ({"schedules": [{"schedule": {"interval": "3600"}}]}, "time_delta_parsing"),
        ({"schedules": [{"schedule": {"cron": "H * * * *"}}]}, "Invalid cron string"),
        (
            {"concurrency_limit": 2,
             "global_concurrency_limit_id": "00000000-0000-0000-0000-000000000001"},
            "cannot have both",
        ),
    ],
)  # fmt: skip
def test_bad_bodies_are_422_and_store_nothing(
    api: APIClient, flow: Any, overrides: dict[str, Any], fragment: str
) -> None:
    response = api.post("/api/deployments/", deployment_body(flow.id, **overrides), format="json")
    assert response.status_code == 422
    assert fragment in response.content.decode()
    assert not Deployment.objects.exists()


def test_legacy_worker_pool_keys_are_dropped(api: APIClient, flow: Any) -> None:
    body = deployment_body(flow.id, worker_pool_name="x", work_pool_queue_name="y")
    assert api.post("/api/deployments/", body, format="json").status_code == 201


def test_missing_work_pool_is_404(api: APIClient, flow: Any) -> None:
    response = api.post(
        "/api/deployments/", deployment_body(flow.id, work_pool_name="nope"), format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": 'Work pool "nope" not found.'}


def test_work_queue_name_alone_lands_in_default_agent_pool(create: Any) -> None:
    data = create(work_queue_name="legacy")
    assert data["work_pool_name"] == "default-agent-pool"
    assert data["work_queue_name"] == "legacy"
    assert WorkPool.objects.get(name="default-agent-pool").type == "prefect-agent"


def test_pool_and_missing_queue_creates_the_queue(create: Any) -> None:
    pool = WorkPool.objects.create(name="proc", type="process")
    data = create(work_pool_name="proc", work_queue_name="fast")
    assert data["work_pool_name"] == "proc"
    assert pool.queues.filter(name="fast").exists()


def test_concurrency_limit_is_shown_as_a_global_limit(create: Any) -> None:
    data = create(concurrency_limit=2)
    assert data["concurrency_limit"] is None
    limit = data["global_concurrency_limit"]
    assert limit["name"] == f"deployment:{data['id']}"
    assert (limit["limit"], limit["active_slots"], limit["active"]) == (2, 0, True)


def test_block_ids_are_409(api: APIClient, flow: Any) -> None:
    block = "00000000-0000-0000-0000-000000000002"
    response = api.post(
        "/api/deployments/",
        deployment_body(flow.id, infrastructure_document_id=block),
        format="json",
    )
    assert response.status_code == 409
    assert block in response.json()["detail"]


def test_upsert_deletes_future_auto_scheduled_runs_only(create: Any, api: APIClient) -> None:
    from django.utils import timezone

    from tests.factories import FlowRunFactory

    data = create()
    later = timezone.now() + timezone.timedelta(hours=1)
    common = {"flow_id": data["flow_id"], "deployment_id": data["id"], "state_type": "SCHEDULED",
              "state_name": "Scheduled", "next_scheduled_start_time": later}  # fmt: skip
    FlowRunFactory(auto_scheduled=True, **common)
    manual = FlowRunFactory(auto_scheduled=False, **common)
    create()
    assert list(FlowRun.objects.values_list("id", flat=True)) == [manual.id]
    assert DeploymentSchedule.objects.count() == 0
