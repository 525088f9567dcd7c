"""Task runs over REST emit nothing; deletion keeps events; flows announce creation."""

from __future__ import annotations

import uuid

import pytest

from events.models import Event
from tests.flowruns.api.set_state.helpers import create_run, propose

from .helpers import events_of, run_events

pytestmark = pytest.mark.django_db


def test_task_run_transitions_over_rest_emit_no_events(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    task = api.post(
        "/api/task_runs/",
        {"flow_run_id": run_id, "task_key": "t", "dynamic_key": "0", "state": {"type": "PENDING"}},
        format="json",
    ).json()
    api.post(
        f"/api/task_runs/{task['id']}/set_state", {"state": {"type": "RUNNING"}}, format="json"
    )

    assert events_of(api, f"prefect.task-run.{task['id']}") == []
    assert not Event.objects.filter(event__startswith="prefect.task-run").exists()


def test_deleting_a_run_keeps_its_events(api):
    run_id = create_run(api, state={"type": "PENDING"})
    propose(api, run_id, "RUNNING")
    assert api.delete(f"/api/flow_runs/{run_id}").status_code == 204
    assert len(run_events(api, run_id)) == 2


def test_creating_a_flow_emits_flow_created_once(api):
    first = api.post("/api/flows/", {"name": "etl", "tags": ["a"]}, format="json")
    again = api.post("/api/flows/", {"name": "etl"}, format="json")

    flow_id = first.json()["id"]
    (event,) = events_of(api, f"prefect.flow.{flow_id}")
    assert (first.status_code, again.status_code) == (201, 200)
    assert event["event"] == "prefect.flow.created"
    assert event["resource"] == {
        "prefect.resource.id": f"prefect.flow.{flow_id}",
        "prefect.resource.name": "etl",
    }
    assert event["related"] == []
    assert event["payload"] == {"name": "etl", "tags": ["a"], "labels": {}}
    assert uuid.UUID(event["id"]).version == 7
