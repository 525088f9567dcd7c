"""Flow-run graphs: `GET /api/flow_runs/{id}/graph` (v1, api.md §6.7) and
`GET /api/flow_runs/{id}/graph-v2` (v2, §6.8)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flowruns.models import FlowRun, StateType, TaskRun, TaskRunState
from tests.factories import FlowFactory, FlowRunFactory, FlowRunStateFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 1, 1, tzinfo=UTC)
DEPENDENCY_KEYS = [
    "id", "name", "upstream_dependencies", "state", "expected_start_time", "start_time",
    "end_time", "total_run_time", "estimated_run_time", "untrackable_result",
]  # fmt: skip
GRAPH_KEYS = ["start_time", "end_time", "root_node_ids", "nodes", "artifacts", "states"]
NODE_KEYS = [
    "kind", "id", "label", "state_type", "start_time", "end_time", "parents", "children",
    "encapsulating", "artifacts",
]  # fmt: skip
STATE_KEYS = ["id", "type", "name", "timestamp", "message", "data", "state_details"]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def task_input(run: TaskRun | FlowRun, input_type: str = "task_run") -> dict[str, str]:
    return {"input_type": input_type, "id": str(run.id)}


def task(flow_run: FlowRun, minutes: float | None = None, **fields: Any) -> TaskRun:
    """A task run that started `minutes` after T0 (None: never started nor expected)."""
    fields.setdefault("start_time", None if minutes is None else at(minutes))
    return TaskRunFactory.create(flow_run=flow_run, **fields)


def with_state(
    task_run: TaskRun, state_type: StateType, timestamp: datetime = T0, **details: Any
) -> TaskRunState:
    state = TaskRunState.objects.create(
        task_run=task_run,
        type=state_type,
        name=state_type.value.capitalize(),
        timestamp=timestamp,
        state_details={"task_run_id": str(task_run.id), **details},
    )
    task_run.state = state
    task_run.state_type = state_type
    task_run.state_name = state.name
    task_run.state_timestamp = state.timestamp
    task_run.save()
    return state


def subflow(parent: TaskRun, minutes: float | None, **fields: Any) -> FlowRun:
    if "flow" not in fields:
        fields["flow"] = FlowFactory()
    fields.setdefault("start_time", None if minutes is None else at(minutes))
    return FlowRunFactory.create(parent_task_run=parent, **fields)


def graph(api, flow_run: FlowRun, **params: str) -> dict[str, Any]:
    response = api.get(f"/api/flow_runs/{flow_run.id}/graph-v2", params)
    assert response.status_code == 200, response.json()
    return response.json()


def nodes(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict((node_id, node) for node_id, node in body["nodes"])


def ids(edges: list[dict[str, str]]) -> list[str]:
    return [edge["id"] for edge in edges]


# --- graph v1 ----------------------------------------------------------------------------------


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


# --- graph v2 ----------------------------------------------------------------------------------


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


def test_v2_start_and_end_times_fall_back_like_prefect(api):
    flow_run = FlowRunFactory()
    expected_only = task(flow_run, None, expected_start_time=at(1))
    cached = task(flow_run, None, expected_start_time=at(2), state_type=StateType.COMPLETED)
    never = task(flow_run, None)
    by_id = nodes(graph(api, flow_run))
    assert str(never.id) not in by_id
    assert by_id[str(expected_only.id)]["start_time"] == iso(at(1))
    assert by_id[str(expected_only.id)]["end_time"] is None
    assert by_id[str(cached.id)]["end_time"] == iso(at(2))  # a cached task "ends" as it starts


def test_v2_orders_nodes_by_start_then_end_time(api):
    flow_run = FlowRunFactory()
    late = task(flow_run, 5)
    running = task(flow_run, 1)
    short = task(flow_run, 1, end_time=at(2))
    longer = task(flow_run, 1, end_time=at(3))
    body = graph(api, flow_run)
    assert [pair[0] for pair in body["nodes"]] == [
        str(short.id),
        str(longer.id),
        str(running.id),
        str(late.id),
    ]


def test_v2_since_keeps_unfinished_and_later_nodes_and_their_edges(api):
    flow_run = FlowRunFactory()
    old = task(flow_run, 1, end_time=at(2))
    recent = task(flow_run, 3, end_time=at(4), task_inputs={"x": [task_input(old)]})
    running = task(flow_run, 5, task_inputs={"x": [task_input(recent)]})

    body = graph(api, flow_run, since=iso(at(4)))

    assert [pair[0] for pair in body["nodes"]] == [str(recent.id), str(running.id)]
    by_id = nodes(body)
    assert ids(by_id[str(recent.id)]["parents"]) == [str(old.id)]  # still named
    assert body["root_node_ids"] == []
    everything = graph(api, flow_run, since="2030-01-01T00:00:00")  # naive is UTC
    assert len(everything["nodes"]) == 3
    offset = graph(api, flow_run, since="2030-01-01T05:04:30+01:00")  # 04:04:30 UTC
    assert [pair[0] for pair in offset["nodes"]] == [str(running.id)]


@pytest.mark.parametrize("since", ["garbage", ""])
def test_v2_rejects_an_unparseable_since(api, since):
    flow_run = FlowRunFactory()
    response = api.get(f"/api/flow_runs/{flow_run.id}/graph-v2", {"since": since})
    assert response.status_code == 422
    body = response.json()
    assert body["exception_message"] == "Invalid request received."
    assert body["request_body"] is None
    [error] = body["exception_detail"]
    assert error["type"] == "datetime_from_date_parsing"
    assert error["loc"] == ["query", "since"]
    assert error["input"] == since


def test_v2_with_more_nodes_than_the_limit_is_400(api, settings):
    settings.PREFECT_FLOW_RUN_GRAPH_MAX_NODES = 2
    flow_run = FlowRunFactory()
    task(flow_run, 1, end_time=at(2))
    task(flow_run, 3)
    assert len(graph(api, flow_run)["nodes"]) == 2  # exactly the limit is fine

    task(flow_run, 4)
    response = api.get(f"/api/flow_runs/{flow_run.id}/graph-v2")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The graph of flow run {flow_run.id} has more than 2 nodes."
    }
    # The limit applies to the nodes `since` leaves.
    assert len(graph(api, flow_run, since=iso(at(3)))["nodes"]) == 2


def test_v2_reads_in_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    flow_run = FlowRunFactory()
    previous = None
    for i in range(12):
        inputs = {"x": [task_input(previous)]} if previous is not None else {}
        previous = task(flow_run, i, task_inputs=inputs)
        if i % 3 == 0:
            subflow(previous, i + 0.5, flow=FlowFactory())
    FlowRunStateFactory(flow_run=flow_run)
    with django_assert_max_num_queries(3):
        body = graph(api, flow_run)
    assert len(body["nodes"]) == 12
    assert sum(node["kind"] == "flow-run" for _, node in body["nodes"]) == 4
    assert len(body["states"]) == 1


def test_graphs_are_documented_field_for_field(api):
    schema = api.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    def documented(path: str) -> dict[str, Any]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        node = content["application/json"]["schema"]
        while "$ref" in node:
            node = components[node["$ref"].split("/")[-1]]
        return node

    flow_run = FlowRunFactory()
    task(flow_run, 1)
    v2 = documented("/api/flow_runs/{id}/graph-v2")
    assert list(v2["properties"]) == list(graph(api, flow_run))
    v1 = documented("/api/flow_runs/{id}/graph")
    item = v1["items"]
    while "$ref" in item:
        item = components[item["$ref"].split("/")[-1]]
    assert list(item["properties"]) == DEPENDENCY_KEYS
