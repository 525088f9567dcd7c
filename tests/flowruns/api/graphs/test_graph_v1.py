"""`GET /api/flow_runs/{id}/graph` (v1, api.md §6.7): each task run with its upstream task runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import StateType
from tests.factories import FlowRunFactory
from tests.flowruns.api.set_state.helpers import STATE_KEYS

from .helpers import DEPENDENCY_KEYS, at, iso, task, task_input, with_state

pytestmark = pytest.mark.django_db


def test_v1_of_an_unknown_flow_run_is_404_with_exception_message(api):
    flow_run_id = uuid.uuid4()
    response = api.get(f"/api/flow_runs/{flow_run_id}/graph")
    assert response.status_code == 404
    assert response.json() == {"exception_message": f"Flow run with id {flow_run_id} not found"}


def test_v1_of_a_flow_run_without_task_runs_is_empty(api):
    assert api.get(f"/api/flow_runs/{FlowRunFactory().id}/graph").json() == []


def test_v1_lists_each_task_run_with_its_upstream_task_runs_once(api):
    flow_run = FlowRunFactory()
    a = task(flow_run, 0, end_time=at(1), total_run_time=60.0, expected_start_time=at(0))
    b = task(flow_run, 2)
    c = task(
        flow_run,
        3,
        task_inputs={
            "x": [task_input(a), task_input(b)],
            "y": [task_input(a), {"input_type": "parameter", "name": "y"}],
            "z": [{"input_type": "constant", "type": "int"}, task_input(flow_run, "flow_run")],
        },
    )
    with_state(a, StateType.COMPLETED, untrackable_result=True)

    response = api.get(f"/api/flow_runs/{flow_run.id}/graph")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body] == sorted([str(a.id), str(b.id), str(c.id)], reverse=True)
    by_id = {item["id"]: item for item in body}
    assert all(list(item) == DEPENDENCY_KEYS for item in body)
    assert sorted(by_id[str(c.id)]["upstream_dependencies"], key=lambda d: d["id"]) == sorted(
        [task_input(a), task_input(b)], key=lambda d: d["id"]
    )
    first = by_id[str(a.id)]
    assert first["upstream_dependencies"] == []
    assert first["name"] == a.name
    assert list(first["state"]) == STATE_KEYS
    assert first["state"]["type"] == "COMPLETED"
    assert first["untrackable_result"] is True
    assert first["expected_start_time"] == iso(at(0))
    assert first["start_time"] == iso(at(0))
    assert first["end_time"] == iso(at(1))
    assert first["total_run_time"] == 60.0
    assert first["estimated_run_time"] == 60.0
    assert by_id[str(b.id)]["state"] is None
    assert by_id[str(b.id)]["untrackable_result"] is False


def test_v1_estimates_the_run_time_of_a_running_task(api):
    flow_run = FlowRunFactory()
    running = task(flow_run, 0, total_run_time=5.0)
    with_state(running, StateType.RUNNING, timestamp=datetime.now(UTC) - timedelta(seconds=10))
    item = api.get(f"/api/flow_runs/{flow_run.id}/graph").json()[0]
    assert item["total_run_time"] == 5.0
    assert 15.0 <= item["estimated_run_time"] < 60.0


def test_v1_leaves_out_task_runs_of_other_flow_runs(api):
    flow_run = FlowRunFactory()
    mine = task(flow_run, 0)
    task(FlowRunFactory(), 0)
    body = api.get(f"/api/flow_runs/{flow_run.id}/graph").json()
    assert [item["id"] for item in body] == [str(mine.id)]


def test_v1_reads_in_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    flow_run = FlowRunFactory()
    for i in range(15):
        with_state(task(flow_run, i), StateType.COMPLETED)
    with django_assert_max_num_queries(2):
        assert len(api.get(f"/api/flow_runs/{flow_run.id}/graph").json()) == 15
