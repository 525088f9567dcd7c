"""Builders and readers shared by the flow-run graph tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flowruns.models import FlowRun, StateType, TaskRun, TaskRunState
from tests.factories import FlowFactory, FlowRunFactory, TaskRunFactory

T0 = datetime(2030, 1, 1, tzinfo=UTC)

DEPENDENCY_KEYS = [
    "id", "name", "upstream_dependencies", "state", "expected_start_time", "start_time",
    "end_time", "total_run_time", "estimated_run_time", "untrackable_result",
]  # fmt: skip


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
