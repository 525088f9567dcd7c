"""Recorded task runs as clients read them back right after a flow returns (spec/events.md
§6.3 "Reading back", client.md): the task-run filter, the state history and the graph."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.api.wire.encoding import dt
from flowruns.models import StateType
from flowruns.selectors.task_runs import task_run_states
from tests.events.task_run_events import ingest, lifecycle
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 13, 19, tzinfo=UTC)


@pytest.fixture
def recorded():
    """A flow run with two recorded tasks; `add` consumed `extract`'s result."""
    flow_run = FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)
    extract_id, add_id = uuid.uuid4(), uuid.uuid4()
    extract = lifecycle(
        task_run_id=extract_id, flow_run_id=flow_run.pk, start=T0, task_key="extract", name="e"
    )
    add = lifecycle(
        task_run_id=add_id,
        flow_run_id=flow_run.pk,
        start=T0 + timedelta(seconds=3),
        task_key="add",
        name="add-1",
        task_inputs={"x": [{"input_type": "task_run", "id": str(extract_id)}], "y": []},
    )
    ingest(*extract, *add)
    return flow_run, extract_id, add_id, add


def test_task_runs_filter_shows_the_newest_state(api, recorded):
    flow_run, _, add_id, add = recorded
    body = {"flow_runs": {"id": {"any_": [str(flow_run.pk)]}}, "sort": "EXPECTED_START_TIME_DESC"}

    response = api.post("/api/task_runs/filter", body, format="json")

    assert response.status_code == 200
    runs = {run["id"]: run for run in response.json()}
    assert len(runs) == 2
    run = runs[str(add_id)]
    assert (run["flow_run_id"], run["state_type"], run["state_name"]) == (
        str(flow_run.pk),
        "COMPLETED",
        "Completed",
    )
    assert run["state_id"] == run["state"]["id"] == add[-1]["id"]
    assert run["state"]["state_details"]["task_run_id"] == str(add_id)
    assert run["state"]["state_details"]["flow_run_id"] == str(flow_run.pk)
    assert run["run_count"] == 1
    assert run["task_inputs"]["x"][0]["id"] == str(recorded[1])


def test_the_state_history_has_one_state_per_event(api, recorded):
    # `GET /api/task_run_states/?task_run_id=` (spec §6.3) is not routed yet; its selector is.
    _, _, add_id, add = recorded

    states = list(task_run_states(add_id))

    assert [str(s.id) for s in states] == [e["id"] for e in add]
    assert [s.type for s in states] == ["PENDING", "RUNNING", "COMPLETED"]
    assert [dt(s.timestamp) for s in states] == [e["occurred"] for e in add]
    response = api.get(f"/api/task_runs/{add_id}")
    assert response.json()["state"]["id"] == add[-1]["id"]


def test_graph_v2_shows_the_task_nodes_and_their_edge(api, recorded):
    flow_run, extract_id, add_id, _ = recorded

    response = api.get(f"/api/flow_runs/{flow_run.pk}/graph-v2")

    assert response.status_code == 200
    nodes = dict((node_id, node) for node_id, node in response.json()["nodes"])
    assert set(nodes) == {str(extract_id), str(add_id)}
    add = nodes[str(add_id)]
    assert (add["kind"], add["label"], add["state_type"]) == ("task-run", "add-1", "COMPLETED")
    assert [parent["id"] for parent in add["parents"]] == [str(extract_id)]
