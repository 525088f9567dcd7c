"""Bodies of the routes that propose states: set_state, bulk_set_state and resume."""

from __future__ import annotations

from typing import Any

from flowruns.filters.bodies import FieldBody, FlowRunQuery

from .queries import BulkLimit
from .states import StateCreate


class SetStateBody(FieldBody):
    """`/flow_runs/{id}/set_state` and `/task_runs/{id}/set_state`: `state` and `force`, and
    nothing else (spec/api.md §6.14)."""

    state: StateCreate
    force: bool = False


class BulkSetStateBody(FlowRunQuery):
    """`/flow_runs/bulk_set_state`: runs are selected by every filter `/flow_runs/filter`
    takes (Prefect reads only `flow_runs` and ignores the others; see `BulkDeleteBody`)."""

    state: StateCreate
    force: bool = False
    limit: BulkLimit = 50


class ResumeBody(FieldBody):
    run_input: dict[str, Any] | None = None
