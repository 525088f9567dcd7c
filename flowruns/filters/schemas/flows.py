"""`flows` — FlowFilter (spec/api.md §4.2)."""

from __future__ import annotations

from uuid import UUID

from .base import FilterModel, OperatorFilterModel


class FlowFilterId(FilterModel):
    any_: list[UUID] | None = None
    not_any_: list[UUID] | None = None


class FlowFilterDeployment(OperatorFilterModel):
    is_null_: bool | None = None


class FlowFilterName(FilterModel):
    any_: list[str] | None = None
    like_: str | None = None


class FlowFilterTags(OperatorFilterModel):
    all_: list[str] | None = None
    is_null_: bool | None = None


class FlowFilter(OperatorFilterModel):
    id: FlowFilterId | None = None
    deployment: FlowFilterDeployment | None = None
    name: FlowFilterName | None = None
    tags: FlowFilterTags | None = None
