"""Graph v1 (`DependencyResult` list) and graph v2 (`Graph`) in Prefect's wire shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flowruns.api.wire.encoding import dt
from flowruns.selectors.graphs import FlowRunGraph, GraphNode, TaskRunDependencies

from .runs import estimated_run_time
from .states import state_out


def dependency_result_out(item: TaskRunDependencies, now: datetime) -> dict[str, Any]:
    run = item.task_run
    state = run.state
    return {
        "id": str(run.id),
        "name": run.name,
        "upstream_dependencies": [
            {"input_type": "task_run", "id": str(upstream)} for upstream in item.upstream
        ],
        "state": state_out(state) if state is not None else None,
        "expected_start_time": dt(run.expected_start_time),
        "start_time": dt(run.start_time),
        "end_time": dt(run.end_time),
        "total_run_time": float(run.total_run_time or 0.0),
        "estimated_run_time": estimated_run_time(run, now),
        "untrackable_result": bool(
            state is not None and (state.state_details or {}).get("untrackable_result")
        ),
    }


def _node_out(node: GraphNode) -> dict[str, Any]:
    return {
        "kind": node.kind,
        "id": str(node.id),
        "label": node.label,
        "state_type": node.state_type,
        "start_time": dt(node.start_time),
        "end_time": dt(node.end_time),
        "parents": [{"id": str(i)} for i in node.parents],
        "children": [{"id": str(i)} for i in node.children],
        "encapsulating": [{"id": str(i)} for i in node.encapsulating],
        "artifacts": [],  # no artifact table: always empty
    }


def graph_out(graph: FlowRunGraph) -> dict[str, Any]:
    return {
        "start_time": dt(graph.start_time),
        "end_time": dt(graph.end_time),
        "root_node_ids": [str(i) for i in graph.root_node_ids],
        "nodes": [[str(node.id), _node_out(node)] for node in graph.nodes],
        "artifacts": [],
        "states": [
            {
                "id": str(state.id),
                "timestamp": dt(state.timestamp),
                "type": state.type,
                "name": state.name,
            }
            for state in graph.states
        ],
    }
