"""`GET /api/task_run_states/`: a task run's state history, and one state by id."""

from __future__ import annotations

import uuid

import pytest

from .helpers import create_flow_run, create_task

pytestmark = pytest.mark.django_db


def _task_with_history(api):
    flow_run = create_flow_run(api)
    task = create_task(api, flow_run_id=flow_run["id"], state={"type": "PENDING"}).json()
    for state in ("RUNNING", "COMPLETED"):
        response = api.post(
            f"/api/task_runs/{task['id']}/set_state", {"state": {"type": state}}, format="json"
        )
        assert response.json()["status"] == "ACCEPT"
    return task


def test_task_run_states_lists_history_oldest_first(api):
    task = _task_with_history(api)
    response = api.get(f"/api/task_run_states/?task_run_id={task['id']}")
    assert response.status_code == 200
    states = response.json()
    assert [s["type"] for s in states] == ["PENDING", "RUNNING", "COMPLETED"]
    assert states[0]["id"] == task["state_id"]
    assert states[-1]["state_details"]["task_run_id"] == task["id"]
    one = api.get(f"/api/task_run_states/{states[1]['id']}")
    assert one.status_code == 200
    assert one.json() == states[1]


def test_task_run_states_without_slash_answers_the_same(api):
    task = _task_with_history(api)
    with_slash = api.get(f"/api/task_run_states/?task_run_id={task['id']}").json()
    without = api.get(f"/api/task_run_states?task_run_id={task['id']}").json()
    assert with_slash == without


def test_task_run_states_needs_task_run_id(api):
    response = api.get("/api/task_run_states/")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["query", "task_run_id"]


def test_task_run_states_of_an_unknown_task_run_is_empty(api):
    response = api.get(f"/api/task_run_states/?task_run_id={uuid.uuid4()}")
    assert response.status_code == 200
    assert response.json() == []


def test_unknown_task_run_state_is_404_with_prefects_message(api):
    # Prefect's own route says "Flow run state" here too; clients match on the status.
    response = api.get(f"/api/task_run_states/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run state not found"}
