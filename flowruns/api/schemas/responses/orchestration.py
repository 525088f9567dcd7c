"""The result of proposing a state (set_state, resume, bulk_set_state)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from .states import StateOut


class OrchestrationDetails(BaseModel):
    type: Literal["accept_details", "reject_details", "wait_details", "abort_details"]
    reason: str | None = None
    delay_seconds: int | None = None


class OrchestrationResultOut(BaseModel):
    """201 when this request wrote a state row, 200 otherwise; branch on `status`."""

    state: StateOut | None
    status: Literal["ACCEPT", "REJECT", "WAIT", "ABORT"]
    details: OrchestrationDetails


class BulkSetStateResult(BaseModel):
    flow_run_id: UUID
    status: Literal["ACCEPT", "REJECT", "WAIT", "ABORT"]
    state: StateOut | None
    details: OrchestrationDetails


class BulkSetStateResponse(BaseModel):
    results: list[BulkSetStateResult]
