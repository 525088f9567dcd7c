"""Flow-run inputs."""

from __future__ import annotations

from uuid import UUID

from pydantic import RootModel

from .base import ORMOut


class FlowRunInputOut(ORMOut):
    flow_run_id: UUID
    key: str
    value: str
    sender: str | None


class FlowRunInputOutList(RootModel[list[FlowRunInputOut]]):
    pass
