"""Which filters the counters can answer: the shape of a /count or /history body.

Covered: no filter; `flow_runs.state.type.any_` and/or `flow_runs.state.name.any_`; those
with one `flow_runs.tags.all_` tag; `flows.id.any_` with or without the states (not with a
tag). Anything else, including `or_` between two criteria and `not_any_`, is None: the caller
runs the query instead. A criterion given as null, or a sub-filter with nothing in it, restricts
nothing, exactly as the filter compiler reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from flowruns.filters.schemas import FlowFilter, FlowRunFilter, FlowRunFilterState
from flowruns.filters.schemas.base import Operator


@dataclass(frozen=True)
class CounterShape:
    """None in a field means "any"; an empty list matches nothing."""

    state_types: list[str] | None = None
    state_names: list[str] | None = None
    flow_ids: list[UUID] | None = None
    tag: str | None = None


class _NotCovered(Exception):
    pass


def _given(model: BaseModel) -> set[str]:
    """The criteria sent with a value (null means not given)."""
    return {
        name
        for name in type(model).model_fields
        if name != "operator" and getattr(model, name) is not None
    }


def _only(model: BaseModel, allowed: set[str]) -> set[str]:
    given = _given(model)
    if given - allowed:
        raise _NotCovered
    if len(given) > 1 and getattr(model, "operator", Operator.and_) is not Operator.and_:
        raise _NotCovered
    return given


def _state(f: FlowRunFilterState) -> tuple[list[str] | None, list[str] | None]:
    _only(f, {"type", "name"})
    types = names = None
    if f.type is not None:
        if f.type.not_any_ is not None:
            raise _NotCovered
        types = None if f.type.any_ is None else [t.value for t in f.type.any_]
    if f.name is not None:
        if f.name.not_any_ is not None:
            raise _NotCovered
        names = None if f.name.any_ is None else list(f.name.any_)
    return types, names


def _flow_runs(f: FlowRunFilter) -> dict[str, Any]:
    given = _only(f, {"state", "tags"})
    found: dict[str, Any] = {}
    if "state" in given and f.state is not None:
        found["state_types"], found["state_names"] = _state(f.state)
    if "tags" in given and f.tags is not None:
        _only(f.tags, {"all_"})
        tags = f.tags.all_ or []  # `all_: []` restricts nothing
        if len(tags) > 1:
            raise _NotCovered
        found["tag"] = tags[0] if tags else None
    return found


def _flows(f: FlowFilter) -> list[UUID] | None:
    if not _only(f, {"id"}) or f.id is None:
        return None
    if f.id.not_any_ is not None:
        raise _NotCovered
    return None if f.id.any_ is None else list(f.id.any_)


def counter_shape(
    *,
    flows: FlowFilter | None,
    flow_runs: FlowRunFilter | None,
    others: tuple[Any, ...],
) -> CounterShape | None:
    """The counters' reading of these filters, or None when they are not covered. `others` are
    the remaining filters of the body (task runs, deployments, work pools, queues): any of them
    given means the query."""
    if any(other is not None for other in others):
        return None
    try:
        found = {} if flow_runs is None else _flow_runs(flow_runs)
        flow_ids = None if flows is None else _flows(flows)
    except _NotCovered:
        return None
    shape = CounterShape(flow_ids=flow_ids, **found)
    if shape.tag is not None and shape.flow_ids is not None:
        return None  # tag counters have no flow dimension
    return shape
