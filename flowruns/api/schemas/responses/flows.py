"""Flows: one, a list, and a REST page."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, RootModel

from .base import ORMOut


class FlowOut(ORMOut):
    name: str
    tags: list[str]
    labels: dict[str, Any] | None


class FlowOutList(RootModel[list[FlowOut]]):
    pass


class FlowList(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[FlowOut]
