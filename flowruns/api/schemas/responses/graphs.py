"""Flow-run graphs: v1 (`DependencyResult` list) and v2 (`Graph`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, RootModel

from flowruns.models import StateType

from .states import StateOut


class TaskRunResultOut(BaseModel):
    input_type: Literal["task_run"]
    id: UUID


class DependencyResultOut(BaseModel):
    id: UUID
    name: str
    upstream_dependencies: list[TaskRunResultOut]
    state: StateOut | None
    expected_start_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    total_run_time: float
    estimated_run_time: float
    untrackable_result: bool


class DependencyResults(RootModel[list[DependencyResultOut]]):
    pass


class GraphEdge(BaseModel):
    id: UUID


class GraphArtifactOut(BaseModel):
    id: UUID
    created: datetime
    key: str | None
    type: str | None
    is_latest: bool
    data: Any


class GraphNodeOut(BaseModel):
    kind: Literal["flow-run", "task-run"]
    id: UUID
    label: str
    state_type: StateType | None
    start_time: datetime
    end_time: datetime | None
    parents: list[GraphEdge]
    children: list[GraphEdge]
    encapsulating: list[GraphEdge]
    artifacts: list[GraphArtifactOut]


class GraphStateOut(BaseModel):
    id: UUID
    timestamp: datetime
    type: StateType
    name: str


class GraphOut(BaseModel):
    """`nodes` is a list of `[node id, node]` pairs, ordered by start then end time."""

    start_time: datetime | None
    end_time: datetime | None
    root_node_ids: list[UUID]
    nodes: list[tuple[UUID, GraphNodeOut]]
    artifacts: list[GraphArtifactOut]
    states: list[GraphStateOut]
