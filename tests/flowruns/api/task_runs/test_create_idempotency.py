"""`POST /api/task_runs/` is idempotent per flow run, task key and dynamic key; ids and
flow runs that clash are a 409 (api.md §4.4)."""

from __future__ import annotations

import uuid

import pytest

from flowruns.models import TaskRun, TaskRunState

from .helpers import create_flow_run, create_task, without_lateness

pytestmark = pytest.mark.django_db


def test_same_keys_return_the_existing_task_run_unchanged_with_200(api):
    flow_run = create_flow_run(api)
    first = create_task(api, flow_run_id=flow_run["id"], name="first")
    again = create_task(
        api, flow_run_id=flow_run["id"], name="second", tags=["x"], state={"type": "RUNNING"}
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert without_lateness(again.json()) == without_lateness(first.json())
    assert TaskRun.objects.count() == 1
    assert TaskRunState.objects.count() == 1


def test_another_dynamic_key_or_flow_run_makes_a_new_task_run(api):
    flow_run = create_flow_run(api)
    first = create_task(api, flow_run_id=flow_run["id"], dynamic_key="0").json()
    other_key = create_task(api, flow_run_id=flow_run["id"], dynamic_key="1")
    other_run = create_task(api, flow_run_id=create_flow_run(api)["id"], dynamic_key="0")
    assert other_key.status_code == 201
    assert other_run.status_code == 201
    assert len({first["id"], other_key.json()["id"], other_run.json()["id"]}) == 3


def test_task_runs_outside_a_flow_run_are_also_idempotent_on_their_keys(api):
    first = create_task(api, task_key="background", dynamic_key="7")
    again = create_task(api, task_key="background", dynamic_key="7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_create_for_an_unknown_flow_run_is_a_409_integrity_conflict(api):
    response = create_task(api, flow_run_id=str(uuid.uuid4()))
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Data integrity conflict.")
    assert TaskRun.objects.count() == 0


def test_create_with_an_id_already_taken_by_another_task_run_is_a_409(api):
    taken = create_task(api, task_key="a").json()["id"]
    response = create_task(api, task_key="b", id=taken)
    assert response.status_code == 409
    assert TaskRun.objects.count() == 1
