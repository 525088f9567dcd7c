"""`GET /api/flow_runs/{id}/graph-v2` (v2, api.md §6.8): node times and order, `since`, the
node limit and the query count."""

from __future__ import annotations

import pytest

from flowruns.models import StateType
from tests.factories import FlowFactory, FlowRunFactory, FlowRunStateFactory

from .helpers import at, graph, ids, iso, nodes, subflow, task, task_input

pytestmark = pytest.mark.django_db


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
