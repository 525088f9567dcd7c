"""Bodies of the routes that propose states: set_state, bulk_set_state and resume."""

from __future__ import annotations

from typing import Any

from flowruns.filters.bodies import FieldBody
from flowruns.filters.schemas import FlowRunFilter

from .queries import BulkLimit
from .states import StateCreate


class SetStateBody(FieldBody):
    """`/flow_runs/{id}/set_state` and `/task_runs/{id}/set_state`: `state` and `force`, and
    nothing else (spec/api.md §6.14)."""

    state: StateCreate
    force: bool = False


class BulkSetStateBody(FieldBody):
    """`/flow_runs/bulk_set_state`: runs are selected by `flow_runs` alone (§4, §6.13)."""

    flow_runs: FlowRunFilter | None = None
    state: StateCreate
    force: bool = False
    limit: BulkLimit = 50


class ResumeBody(FieldBody):
    run_input: dict[str, Any] | None = None
