"""`POST /api/flow_runs/`: what a new run holds, idempotency keys, and links to flows and
parent task runs."""

from __future__ import annotations

import base64
import uuid

import pytest

from flowruns.models import FlowRun, FlowRunState
from tests.factories import FlowFactory, TaskRunFactory
from tests.flowruns.api.set_state.helpers import DETAIL_KEYS, STATE_KEYS

from .helpers import RESPONSE_KEYS, create

pytestmark = pytest.mark.django_db


def test_create_without_state_makes_a_pending_run_with_every_field(api):
    flow = FlowFactory()
    response = create(api, flow_id=str(flow.id))
    assert response.status_code == 201
    body = response.json()
    assert list(body) == RESPONSE_KEYS
    assert body["state_type"] == "PENDING"
    assert body["state_name"] == "Pending"
    assert list(body["state"]) == STATE_KEYS
    assert list(body["state"]["state_details"]) == DETAIL_KEYS
    assert body["state"]["state_details"]["flow_run_id"] == body["id"]
    assert body["state_id"] == body["state"]["id"]
    assert body["expected_start_time"] == body["state"]["timestamp"]
    assert body["labels"] == {"prefect.flow.id": str(flow.id)}
    assert body["job_variables"] == {}
    assert body["empirical_policy"] == {
        "max_retries": 0,
        "retry_delay_seconds": 0.0,
        "retries": None,
        "retry_delay": None,
        "pause_keys": [],
        "resuming": False,
        "retry_type": None,
    }
    assert body["run_count"] == 0
    assert body["total_run_time"] == 0.0
    assert body["estimated_start_time_delta"] >= 0.0
    assert body["created"].endswith("Z")
    assert uuid.UUID(body["state"]["id"]).version == 7
    assert FlowRunState.objects.filter(flow_run_id=body["id"]).count() == 1


def test_create_without_name_gets_a_random_two_word_name(api):
    names = {create(api).json()["name"] for _ in range(5)}
    assert all(len(name.split("-")) == 2 for name in names)
    assert len(names) > 1


def test_create_keeps_any_given_name(api):
    assert create(api, name="weird/name, ok").json()["name"] == "weird/name, ok"


def test_idempotency_key_returns_the_existing_run_unchanged_with_200(api):
    flow = FlowFactory()
    first = create(api, flow_id=str(flow.id), idempotency_key="k1", name="first")
    again = create(api, flow_id=str(flow.id), idempotency_key="k1", name="second", tags=["x"])
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["name"] == "first"
    assert again.json()["tags"] == []
    assert FlowRunState.objects.filter(flow_run_id=first.json()["id"]).count() == 1


def test_same_idempotency_key_under_another_flow_creates_a_new_run(api):
    first = create(api, idempotency_key="shared")
    second = create(api, idempotency_key="shared")
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]


def test_create_for_unknown_flow_is_a_409_integrity_conflict(api):
    response = create(api, flow_id=str(uuid.uuid4()))
    assert response.status_code == 409
    assert "Data integrity conflict" in response.json()["detail"]
    assert FlowRun.objects.count() == 0


def test_create_with_unknown_parent_task_run_is_a_409(api):
    assert create(api, parent_task_run_id=str(uuid.uuid4())).status_code == 409


def test_create_links_a_subflow_to_its_parent_task_run(api):
    parent_task = TaskRunFactory()
    body = create(api, parent_task_run_id=str(parent_task.id)).json()
    assert body["parent_task_run_id"] == str(parent_task.id)
    assert body["state"]["state_details"]["task_run_id"] == str(parent_task.id)


def test_create_records_the_automation_that_created_the_run(api):
    automation = uuid.uuid4()
    name = base64.b64encode(b"nightly").decode()
    response = api.post(
        "/api/flow_runs/",
        {"flow_id": str(FlowFactory().id)},
        format="json",
        HTTP_PREFECT_AUTOMATION_ID=str(automation),
        HTTP_PREFECT_AUTOMATION_NAME=name,
    )
    assert response.json()["created_by"] == {
        "id": str(automation),
        "type": "AUTOMATION",
        "display_value": "nightly",
    }


def test_create_ignores_automation_headers_that_do_not_decode(api):
    response = api.post(
        "/api/flow_runs/",
        {"flow_id": str(FlowFactory().id)},
        format="json",
        HTTP_PREFECT_AUTOMATION_ID=str(uuid.uuid4()),
        HTTP_PREFECT_AUTOMATION_NAME="***not base64***",
    )
    assert response.json()["created_by"] is None


def test_user_labels_are_merged_over_flow_and_system_labels(api):
    flow = FlowFactory(labels={"team": "data", "tier": 1})
    body = create(api, flow_id=str(flow.id), labels={"tier": 2, "prefect.flow.id": "mine"})
    assert body.json()["labels"] == {"team": "data", "tier": 2, "prefect.flow.id": "mine"}
