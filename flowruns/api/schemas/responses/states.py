"""A state row (flow-run or task-run state) as the routes return it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, RootModel

from flowruns.models import StateType


class StateDetailsOut(BaseModel):
    flow_run_id: UUID | None
    task_run_id: UUID | None
    child_flow_run_id: UUID | None
    scheduled_time: datetime | None
    cache_key: str | None
    cache_expiration: datetime | None
    deferred: bool | None
    untrackable_result: bool
    pause_timeout: datetime | None
    pause_reschedule: bool
    pause_key: str | None
    run_input_keyset: dict[str, str] | None
    refresh_cache: bool | None
    retriable: bool | None
    transition_id: UUID | None
    task_parameters_id: UUID | None
    traceparent: str | None
    deployment_concurrency_lease_id: UUID | None


class StateOut(BaseModel):
    id: UUID
    type: StateType
    name: str
    timestamp: datetime
    message: str | None
    data: Any
    state_details: StateDetailsOut


class StateOutList(RootModel[list[StateOut]]):
    pass
