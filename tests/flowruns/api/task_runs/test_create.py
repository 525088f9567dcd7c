"""`POST /api/task_runs/`: what a new task run holds, from the fields the client sends
(api.md §2.4, §4.4; client.md §8.1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from flowruns.models import TaskRun, TaskRunState
from tests.factories import FlowFactory
from tests.flowruns.api.set_state.helpers import STATE_KEYS

from .helpers import POLICY_DEFAULTS, TASK_RUN_KEYS, create_flow_run, create_task

pytestmark = pytest.mark.django_db


def uuid7() -> str:
    """A time-ordered id like the ones the client mints for its task runs."""
    millis = int(datetime.now(UTC).timestamp() * 1000)
    value = (millis << 80) | (0x7 << 76) | (uuid.uuid4().int & ((1 << 76) - 1))
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))


def test_create_returns_201_and_a_pending_task_run_with_every_field_in_prefects_order(api):
    flow_run = create_flow_run(api)
    response = create_task(api, flow_run_id=flow_run["id"])

    assert response.status_code == 201
    body = response.json()
    assert list(body) == TASK_RUN_KEYS
    assert body["flow_run_id"] == flow_run["id"]
    assert body["task_key"] == "my_task-abc123"
    assert body["dynamic_key"] == "0"
    assert body["state_type"] == "PENDING"
    assert body["state_name"] == "Pending"
    assert list(body["state"]) == STATE_KEYS
    assert body["state_id"] == body["state"]["id"]
    assert body["state"]["state_details"]["task_run_id"] == body["id"]
    assert body["state"]["state_details"]["flow_run_id"] == flow_run["id"]
    assert body["expected_start_time"] == body["state"]["timestamp"]
    assert body["empirical_policy"] == POLICY_DEFAULTS
    assert body["task_inputs"] == {}
    assert body["tags"] == []
    assert body["run_count"] == 0
    assert body["flow_run_run_count"] == 0
    assert body["total_run_time"] == 0.0
    assert body["estimated_run_time"] == 0.0
    assert body["estimated_start_time_delta"] >= 0.0
    assert body["created"].endswith("Z")
    assert TaskRunState.objects.filter(task_run_id=body["id"]).count() == 1


def test_create_keeps_the_id_the_client_sends(api):
    task_run_id = uuid7()
    body = create_task(api, id=task_run_id, flow_run_id=create_flow_run(api)["id"]).json()
    assert body["id"] == task_run_id
    assert TaskRun.objects.filter(pk=task_run_id).exists()


def test_create_without_a_flow_run_has_no_system_labels(api):
    body = create_task(api, labels={"team": "data"}).json()
    assert body["flow_run_id"] is None
    assert body["labels"] == {"team": "data"}


def test_create_inherits_the_flow_runs_labels_and_adds_its_id(api):
    flow = FlowFactory(labels={"team": "data", "tier": 1})
    flow_run = create_flow_run(api, flow_id=str(flow.id))
    body = create_task(api, flow_run_id=flow_run["id"], labels={"tier": 2}).json()
    assert body["labels"] == {
        "team": "data",
        "tier": 2,  # the client's own label wins
        "prefect.flow.id": str(flow.id),
        "prefect.flow-run.id": flow_run["id"],
    }


@pytest.mark.parametrize("name", [None, ""])
def test_create_without_a_name_gets_a_random_two_word_name(api, name):
    body = {} if name is None else {"name": name}
    names = {create_task(api, dynamic_key=str(i), **body).json()["name"] for i in range(5)}
    assert all(len(n.split("-")) == 2 for n in names)
    assert len(names) > 1


def test_create_stores_every_given_field(api):
    flow_run = create_flow_run(api)
    upstream = str(uuid.uuid4())
    body = create_task(
        api,
        flow_run_id=flow_run["id"],
        name="add-1",
        cache_key="ck",
        cache_expiration="2030-01-01T00:00:00+02:00",
        task_version="1.2",
        tags=["a", "b"],
        empirical_policy={"retries": 2, "retry_delay": [1, 2.5], "retry_jitter_factor": 0.5},
        task_inputs={
            "x": [{"input_type": "task_run", "id": upstream}],
            "y": [{"input_type": "parameter", "name": "y"}],
            "z": [{"input_type": "constant", "type": "int"}],
            "w": [{"input_type": "flow_run", "id": flow_run["id"]}],
        },
    ).json()
    assert body["name"] == "add-1"
    assert body["cache_key"] == "ck"
    assert body["cache_expiration"] == "2029-12-31T22:00:00Z"
    assert body["task_version"] == "1.2"
    assert body["tags"] == ["a", "b"]
    assert body["empirical_policy"] == {
        **POLICY_DEFAULTS,
        "retries": 2,
        "retry_delay": [1.0, 2.5],
        "retry_jitter_factor": 0.5,
    }
    assert body["task_inputs"] == {
        "x": [{"input_type": "task_run", "id": upstream}],
        "y": [{"input_type": "parameter", "name": "y"}],
        "z": [{"input_type": "constant", "type": "int"}],
        "w": [{"input_type": "flow_run", "id": flow_run["id"]}],
    }


def test_create_normalises_task_inputs_like_prefect(api):
    upstream = uuid.uuid4()
    inputs = {"x": [{"id": upstream.hex, "extra": "ignored"}]}
    body = create_task(api, task_inputs=inputs).json()
    assert body["task_inputs"] == {"x": [{"input_type": "task_run", "id": str(upstream)}]}


def test_deprecated_policy_fields_fill_the_new_ones(api):
    policy = {"max_retries": 3, "retry_delay_seconds": 5}
    body = create_task(api, empirical_policy=policy).json()
    assert body["empirical_policy"] == {
        "max_retries": 3,
        "retry_delay_seconds": 5.0,
        "retries": 3,
        "retry_delay": 5,
        "retry_jitter_factor": None,
    }


def test_create_writes_the_given_initial_state_with_force(api):
    # The flow run is not running: the task policy would abort RUNNING, the force policy not.
    flow_run = create_flow_run(api, state="PENDING")
    response = create_task(api, flow_run_id=flow_run["id"], state={"type": "RUNNING"})
    assert response.status_code == 201
    body = response.json()
    assert body["state_type"] == "RUNNING"
    assert body["run_count"] == 1
    assert body["start_time"] == body["state"]["timestamp"]


def test_create_without_a_slash_is_served_not_redirected(api):
    response = api.post(
        "/api/task_runs", {"task_key": "k", "dynamic_key": "0"}, format="json", follow=False
    )
    assert response.status_code == 201
