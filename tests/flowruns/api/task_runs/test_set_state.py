"""`POST /api/task_runs/{id}/set_state` under the task policy (orchestration.md §3.7)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from flowruns.models import TaskRun
from tests.flowruns.api.set_state.helpers import STATE_KEYS

from .helpers import create_flow_run, new_task, set_state

pytestmark = pytest.mark.django_db

NOT_RUNNING = "The enclosing flow must be running to begin task execution."


def test_running_inside_a_running_flow_is_accepted_with_201(api):
    task = new_task(api, create_flow_run(api, "RUNNING")["id"])
    response = set_state(api, task["id"], "RUNNING")
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["state", "status", "details"]
    assert body["status"] == "ACCEPT"
    assert body["details"] == {"type": "accept_details"}
    assert list(body["state"]) == STATE_KEYS
    assert body["state"]["type"] == "RUNNING"
    assert body["state"]["state_details"]["task_run_id"] == task["id"]
    read = api.get(f"/api/task_runs/{task['id']}").json()
    assert read["state_id"] == body["state"]["id"]
    assert read["run_count"] == 1
    assert read["flow_run_run_count"] == 1
    assert read["start_time"] == body["state"]["timestamp"]


@pytest.mark.parametrize("flow_state", ["PENDING", "SCHEDULED", "COMPLETED", "CANCELLING"])
def test_running_while_the_flow_run_is_not_running_is_aborted_with_200(api, flow_state):
    task = new_task(api, create_flow_run(api, flow_state)["id"])
    response = set_state(api, task["id"], "RUNNING")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ABORT"
    assert body["details"] == {"type": "abort_details", "reason": NOT_RUNNING}
    assert body["state"]["type"] == "PENDING"  # the current state, unchanged
    assert TaskRun.objects.get(pk=task["id"]).state_type == "PENDING"


def test_running_while_the_flow_run_is_paused_is_rejected_as_not_ready(api):
    flow_run = create_flow_run(api, "RUNNING")
    task = new_task(api, flow_run["id"])
    api.post(
        f"/api/flow_runs/{flow_run['id']}/set_state",
        {"state": {"type": "PAUSED"}, "force": True},
        format="json",
    )
    response = set_state(api, task["id"], "RUNNING")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["state"]["type"] == "PAUSED"
    assert body["state"]["name"] == "NotReady"
    assert body["details"]["reason"] == (
        f"The flow is paused, new tasks can execute after resuming flow run: {flow_run['id']}."
    )


def test_a_finished_task_cannot_crash_or_be_paused(api):
    task = new_task(api, create_flow_run(api, "RUNNING")["id"])
    set_state(api, task["id"], "RUNNING")
    assert set_state(api, task["id"], "COMPLETED").json()["status"] == "ACCEPT"
    for proposed in ("CRASHED", "PAUSED", "CANCELLING"):
        body = set_state(api, task["id"], proposed).json()
        assert body["status"] == "ABORT"
        assert body["details"]["reason"] == "Run is already COMPLETED."
    assert TaskRun.objects.get(pk=task["id"]).state_type == "COMPLETED"


def test_force_writes_what_the_policy_would_refuse(api):
    task = new_task(api, create_flow_run(api, "PENDING")["id"])
    response = set_state(api, task["id"], "RUNNING", force=True)
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert TaskRun.objects.get(pk=task["id"]).state_type == "RUNNING"


def test_a_failed_task_with_retries_left_is_rescheduled_as_awaiting_retry(api):
    flow_run = create_flow_run(api, "RUNNING")
    task = new_task(api, flow_run["id"], empirical_policy={"retries": 1, "retry_delay": 10})
    set_state(api, task["id"], "RUNNING")
    response = set_state(api, task["id"], "FAILED", message="boom")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["state"]["type"] == "SCHEDULED"
    assert body["state"]["name"] == "AwaitingRetry"
    scheduled = datetime.fromisoformat(body["state"]["state_details"]["scheduled_time"][:-1])
    timestamp = datetime.fromisoformat(body["state"]["timestamp"][:-1])
    assert timedelta(seconds=9) < scheduled - timestamp < timedelta(seconds=11)


def test_set_state_on_an_unknown_task_run_is_404_with_exception_message(api):
    task_run_id = uuid.uuid4()
    response = set_state(api, str(task_run_id), "RUNNING")
    assert response.status_code == 404
    assert response.json() == {"exception_message": f"Task run with id {task_run_id} not found"}


def test_set_state_requires_a_state_and_ignores_unknown_top_level_keys(api):
    task = new_task(api)
    missing = api.post(f"/api/task_runs/{task['id']}/set_state", {"x": 1}, format="json")
    assert missing.status_code == 422
    assert missing.json()["exception_detail"][0]["loc"] == ["body", "state"]
    body = {"state": {"type": "PENDING"}, "bogus": 1}
    ignored = api.post(f"/api/task_runs/{task['id']}/set_state", body, format="json")
    assert ignored.status_code in (200, 201)
