"""Flow-run graphs: the task dependency list (v1) and the node graph of tasks and subflows (v2).

Both read a bounded number of queries whatever the size of the run: v1 reads the task runs
with their current states in one query; v2 reads the run, its task runs joined with the
subflows they wrap, and the run's states, then builds the edges in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.conf import settings

from flowruns.errors import DetailError, ObjectNotFound
from flowruns.models import FlowRun, FlowRunState, StateType, TaskRun

ENCAPSULATING_KEY = "__parents__"
EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass
class TaskRunDependencies:
    task_run: TaskRun
    upstream: list[UUID]


def flow_run_dependencies(flow_run_id: UUID) -> list[TaskRunDependencies]:
    """Graph v1: each task run of the run (id descending) with its current state and the
    task runs its inputs came from, once each. Inputs of other kinds (parameters, constants,
    flow runs) name no upstream task and are left out."""
    if not FlowRun.objects.filter(pk=flow_run_id).exists():
        raise ObjectNotFound(f"Flow run with id {flow_run_id} not found")
    runs = TaskRun.objects.select_related("state").filter(flow_run_id=flow_run_id).order_by("-id")
    return [
        TaskRunDependencies(
            task_run=run,
            upstream=list(
                dict.fromkeys(i for _, i in input_ids(run.task_inputs, input_type="task_run"))
            ),
        )
        for run in runs
    ]


def input_ids(task_inputs: Any, *, input_type: str | None = None) -> Iterator[tuple[str, UUID]]:
    """`(input name, id)` for every id-bearing entry of a task run's `task_inputs`."""
    if not isinstance(task_inputs, dict):
        return
    for name, entries in task_inputs.items():
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, dict) or entry.get("id") is None:
                continue
            if input_type is not None and entry.get("input_type", "task_run") != input_type:
                continue
            try:
                yield name, UUID(str(entry["id"]))
            except ValueError:
                continue


@dataclass
class GraphNode:
    kind: str
    id: UUID
    label: str
    state_type: str | None
    start_time: datetime
    end_time: datetime | None
    task_inputs: Any = None
    parents: list[UUID] = field(default_factory=list)
    children: list[UUID] = field(default_factory=list)
    encapsulating: list[UUID] = field(default_factory=list)


@dataclass
class FlowRunGraph:
    start_time: datetime | None
    end_time: datetime | None
    nodes: list[GraphNode]
    states: list[FlowRunState]

    @property
    def root_node_ids(self) -> list[UUID]:
        return [node.id for node in self.nodes if not node.parents]


def _first(*values: datetime | None) -> datetime | None:
    return next((value for value in values if value is not None), None)


_NODE_COLUMNS = (
    "id",
    "name",
    "state_type",
    "start_time",
    "end_time",
    "expected_start_time",
    "task_inputs",
    "subflow_runs__id",
    "subflow_runs__name",
    "subflow_runs__state_type",
    "subflow_runs__start_time",
    "subflow_runs__end_time",
    "subflow_runs__expected_start_time",
    "subflow_runs__flow__name",
)


def _node(row: dict[str, Any]) -> GraphNode | None:
    """A task run, or the subflow it wraps; None when nothing gives it a start time."""
    start = _first(
        row["subflow_runs__start_time"],
        row["subflow_runs__expected_start_time"],
        row["start_time"],
        row["expected_start_time"],
    )
    if start is None:
        return None
    cached_end = row["expected_start_time"] if row["state_type"] == StateType.COMPLETED else None
    end = _first(row["subflow_runs__end_time"], row["end_time"], cached_end)
    if row["subflow_runs__id"] is not None:
        return GraphNode(
            kind="flow-run",
            id=row["subflow_runs__id"],
            label=f"{row['subflow_runs__flow__name']} / {row['subflow_runs__name']}",
            state_type=row["subflow_runs__state_type"] or row["state_type"],
            start_time=start,
            end_time=end,
            task_inputs=row["task_inputs"],
        )
    return GraphNode(
        kind="task-run",
        id=row["id"],
        label=row["name"],
        state_type=row["state_type"],
        start_time=start,
        end_time=end,
        task_inputs=row["task_inputs"],
    )


def _link(nodes: list[GraphNode]) -> None:
    """Edges from each node's task inputs to the other nodes they name: `__parents__` entries
    are encapsulating parents, the rest upstream parents (listed once per input entry)."""
    by_id = {node.id: node for node in nodes}
    for node in nodes:
        for name, parent_id in input_ids(node.task_inputs):
            parent = by_id.get(parent_id)
            if parent is None:
                continue
            if name == ENCAPSULATING_KEY:
                node.encapsulating.append(parent_id)
            else:
                node.parents.append(parent_id)
                parent.children.append(node.id)

    def by_start(ids: Iterable[UUID]) -> list[UUID]:
        return sorted(ids, key=lambda i: by_id[i].start_time)

    for node in nodes:
        node.parents = by_start(node.parents)
        node.children = by_start(node.children)
        node.encapsulating = list(dict.fromkeys(by_start(node.encapsulating)))


def _node_order(node: GraphNode) -> tuple[datetime, bool, datetime, str]:
    # (start_time, end_time) ascending, runs still going (no end) last, then id for stability.
    return (node.start_time, node.end_time is None, node.end_time or EARLIEST, str(node.id))


def flow_run_graph(flow_run_id: UUID, *, since: datetime = EARLIEST) -> FlowRunGraph:
    """The run's direct task runs as nodes (a task wrapping a subflow is shown as that
    subflow), with the nodes ending before `since` left out; edges still name them."""
    run = (
        FlowRun.objects.filter(pk=flow_run_id)
        .values("start_time", "expected_start_time", "end_time")
        .first()
    )
    if run is None:
        raise ObjectNotFound(f"Flow run {flow_run_id} not found")
    rows = TaskRun.objects.filter(flow_run_id=flow_run_id).values(*_NODE_COLUMNS)
    nodes = [node for node in map(_node, rows) if node is not None]
    _link(nodes)
    shown = sorted(
        (node for node in nodes if node.end_time is None or node.end_time >= since),
        key=_node_order,
    )
    max_nodes: int = settings.PREFECT_FLOW_RUN_GRAPH_MAX_NODES
    if len(shown) > max_nodes:
        raise DetailError(
            400, f"The graph of flow run {flow_run_id} has more than {max_nodes} nodes."
        )
    states = FlowRunState.objects.filter(flow_run_id=flow_run_id).order_by("timestamp")
    return FlowRunGraph(
        start_time=_first(run["start_time"], run["expected_start_time"]),
        end_time=run["end_time"],
        nodes=shown,
        states=list(states.only("id", "timestamp", "type", "name")),
    )
