"""`GET /api/flow_runs/{id}/graph-v2` (v2, api.md §6.8): the graph's shape, its nodes and the
edges between them, subflows included."""

from __future__ import annotations

import uuid

import pytest

from flowruns.models import StateType
from tests.factories import FlowFactory, FlowRunFactory, FlowRunStateFactory

from .helpers import at, graph, ids, iso, nodes, subflow, task, task_input

pytestmark = pytest.mark.django_db

GRAPH_KEYS = ["start_time", "end_time", "root_node_ids", "nodes", "artifacts", "states"]

NODE_KEYS = [
    "kind", "id", "label", "state_type", "start_time", "end_time", "parents", "children",
    "encapsulating", "artifacts",
]  # fmt: skip


def test_v2_of_an_unknown_flow_run_is_404_with_its_own_wording(api):
    flow_run_id = uuid.uuid4()
    response = api.get(f"/api/flow_runs/{flow_run_id}/graph-v2")
    assert response.status_code == 404
    assert response.json() == {"exception_message": f"Flow run {flow_run_id} not found"}


def test_v2_shape_of_an_empty_run_with_its_states_oldest_first(api):
    flow_run = FlowRunFactory(expected_start_time=at(-5), end_time=at(10))
    later = FlowRunStateFactory(flow_run=flow_run, type=StateType.RUNNING, timestamp=at(1))
    earlier = FlowRunStateFactory(flow_run=flow_run, type=StateType.PENDING, timestamp=at(0))

    body = graph(api, flow_run)

    assert list(body) == GRAPH_KEYS
    assert body["start_time"] == iso(at(-5))  # no start time yet: the expected one
    assert body["end_time"] == iso(at(10))
    assert body["root_node_ids"] == []
    assert body["nodes"] == []
    assert body["artifacts"] == []
    assert body["states"] == [
        {"id": str(earlier.id), "timestamp": iso(at(0)), "type": "PENDING", "name": "Pending"},
        {"id": str(later.id), "timestamp": iso(at(1)), "type": "RUNNING", "name": "Running"},
    ]


def test_v2_nodes_are_task_runs_with_edges_from_their_inputs(api):
    flow_run = FlowRunFactory(start_time=at(0))
    a = task(flow_run, 1, end_time=at(2), state_type=StateType.COMPLETED, name="a")
    b = task(flow_run, 3, state_type=StateType.RUNNING, task_inputs={"x": [task_input(a)]})
    c = task(
        flow_run,
        4,
        task_inputs={
            "x": [task_input(a)],
            "y": [task_input(b), {"input_type": "parameter", "name": "y"}],
        },
    )

    body = graph(api, flow_run)

    assert body["start_time"] == iso(at(0))
    assert [pair[0] for pair in body["nodes"]] == [str(a.id), str(b.id), str(c.id)]
    by_id = nodes(body)
    assert list(by_id[str(a.id)]) == NODE_KEYS
    assert by_id[str(a.id)] == {
        "kind": "task-run",
        "id": str(a.id),
        "label": "a",
        "state_type": "COMPLETED",
        "start_time": iso(at(1)),
        "end_time": iso(at(2)),
        "parents": [],
        "children": [{"id": str(b.id)}, {"id": str(c.id)}],
        "encapsulating": [],
        "artifacts": [],
    }
    assert ids(by_id[str(b.id)]["parents"]) == [str(a.id)]
    assert ids(by_id[str(b.id)]["children"]) == [str(c.id)]
    assert ids(by_id[str(c.id)]["parents"]) == [str(a.id), str(b.id)]  # by start time
    assert body["root_node_ids"] == [str(a.id)]


def test_v2_lists_an_upstream_once_per_input_that_names_it(api):
    flow_run = FlowRunFactory()
    a = task(flow_run, 1)
    b = task(flow_run, 2, task_inputs={"x": [task_input(a)], "y": [task_input(a)]})
    by_id = nodes(graph(api, flow_run))
    assert ids(by_id[str(b.id)]["parents"]) == [str(a.id), str(a.id)]
    assert ids(by_id[str(a.id)]["children"]) == [str(b.id), str(b.id)]


def test_v2_parents_key_makes_encapsulating_edges_only(api):
    flow_run = FlowRunFactory()
    outer = task(flow_run, 1)
    other = task(flow_run, 2)
    inner = task(
        flow_run,
        3,
        task_inputs={"__parents__": [task_input(other), task_input(outer), task_input(outer)]},
    )
    body = graph(api, flow_run)
    by_id = nodes(body)
    assert ids(by_id[str(inner.id)]["encapsulating"]) == [str(outer.id), str(other.id)]
    assert by_id[str(inner.id)]["parents"] == []
    assert by_id[str(outer.id)]["children"] == []
    assert body["root_node_ids"] == [str(outer.id), str(other.id), str(inner.id)]


def test_v2_shows_a_task_that_wraps_a_subflow_as_that_flow_run(api):
    flow_run = FlowRunFactory(flow=FlowFactory(name="parent-flow"))
    wrapper = task(flow_run, 1, state_type=StateType.COMPLETED, name="wrapper-task")
    child = subflow(
        wrapper,
        2,
        name="sub-run",
        end_time=at(5),
        state_type=StateType.FAILED,
        flow=FlowFactory(name="child-flow"),
    )
    task(child, 2, name="grandchild-task")  # inside the subflow: not a node of this graph
    after = task(flow_run, 6, task_inputs={"x": [task_input(child, "flow_run")]})
    unlinked = task(flow_run, 7, task_inputs={"x": [task_input(wrapper)]})

    body = graph(api, flow_run)
    by_id = nodes(body)

    assert set(by_id) == {str(child.id), str(after.id), str(unlinked.id)}
    assert by_id[str(child.id)] == {
        "kind": "flow-run",
        "id": str(child.id),
        "label": "child-flow / sub-run",
        "state_type": "FAILED",
        "start_time": iso(at(2)),
        "end_time": iso(at(5)),
        "parents": [],
        "children": [{"id": str(after.id)}],
        "encapsulating": [],
        "artifacts": [],
    }
    assert ids(by_id[str(after.id)]["parents"]) == [str(child.id)]
    # The wrapper task's own id names no node: the subflow stands in for it.
    assert by_id[str(unlinked.id)]["parents"] == []


def test_v2_subflow_nodes_keep_the_wrapper_tasks_inputs(api):
    flow_run = FlowRunFactory()
    upstream = task(flow_run, 1)
    wrapper = task(flow_run, None, task_inputs={"x": [task_input(upstream)]})
    child = subflow(wrapper, None, expected_start_time=at(3))
    by_id = nodes(graph(api, flow_run))
    assert by_id[str(child.id)]["start_time"] == iso(at(3))
    assert ids(by_id[str(child.id)]["parents"]) == [str(upstream.id)]
    assert ids(by_id[str(upstream.id)]["children"]) == [str(child.id)]
