"""`GET`, `PATCH` and `DELETE /api/task_runs/{id}` (api.md §4.4)."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from flowruns.models import FlowRun, TaskRun, TaskRunState

from .helpers import TASK_RUN_KEYS, create_flow_run, new_task, set_state, without_lateness

pytestmark = pytest.mark.django_db


def test_read_returns_what_create_returned(api):
    created = new_task(api, create_flow_run(api)["id"])
    response = api.get(f"/api/task_runs/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == TASK_RUN_KEYS
    assert without_lateness(body) == without_lateness(created)


def test_read_accepts_an_id_without_dashes(api):
    created = new_task(api)
    assert api.get(f"/api/task_runs/{uuid.UUID(created['id']).hex}").json()["id"] == created["id"]


def test_read_of_an_unknown_task_run_is_404_in_prefects_words(api):
    response = api.get(f"/api/task_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Task not found"}


def test_a_non_uuid_id_does_not_match_the_route(api):
    response = api.get("/api/task_runs/not-a-uuid")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_get_on_the_collection_is_405(api):
    response = api.get("/api/task_runs/")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_patch_renames_the_task_run(api):
    created = new_task(api, name="old")
    response = api.patch(f"/api/task_runs/{created['id']}", {"name": "new"}, format="json")
    assert response.status_code == 204
    assert response.content == b""
    task_run = TaskRun.objects.get(pk=created["id"])
    assert task_run.name == "new"
    assert task_run.updated > datetime.fromisoformat(created["updated"].replace("Z", "+00:00"))


def test_patch_with_null_name_picks_a_random_name_and_an_empty_body_changes_nothing(api):
    created = new_task(api, name="keep")
    assert api.patch(f"/api/task_runs/{created['id']}", {}, format="json").status_code == 204
    assert TaskRun.objects.get(pk=created["id"]).name == "keep"
    api.patch(f"/api/task_runs/{created['id']}", {"name": None}, format="json")
    name = TaskRun.objects.get(pk=created["id"]).name
    assert name != "keep"
    assert len(name.split("-")) == 2


def test_patch_rejects_other_fields(api):
    created = new_task(api)
    response = api.patch(f"/api/task_runs/{created['id']}", {"tags": ["x"]}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "extra_forbidden"


def test_patch_of_an_unknown_task_run_is_404(api):
    response = api.patch(f"/api/task_runs/{uuid.uuid4()}", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Task run not found"}


def test_delete_removes_the_task_run_and_its_states_and_unlinks_its_subflow(api):
    flow_run = create_flow_run(api)
    task = new_task(api, flow_run["id"])
    set_state(api, task["id"], "RUNNING")
    subflow = create_flow_run(api, parent_task_run_id=task["id"])
    other = new_task(api, flow_run["id"])

    response = api.delete(f"/api/task_runs/{task['id']}")

    assert response.status_code == 204
    assert not TaskRun.objects.filter(pk=task["id"]).exists()
    assert not TaskRunState.objects.filter(task_run_id=task["id"]).exists()
    assert FlowRun.objects.get(pk=subflow["id"]).parent_task_run_id is None
    assert TaskRun.objects.filter(pk=other["id"]).exists()
    assert TaskRunState.objects.filter(task_run_id=other["id"]).count() == 1


def test_delete_of_an_unknown_task_run_is_404(api):
    response = api.delete(f"/api/task_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Task not found"}
