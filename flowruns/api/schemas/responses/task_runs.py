"""Task runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, RootModel

from flowruns.models import StateType

from .base import ORMOut
from .states import StateOut


class TaskRunPolicyOut(BaseModel):
    max_retries: int
    retry_delay_seconds: float
    retries: int | None
    retry_delay: int | float | list[int] | list[float] | None
    retry_jitter_factor: float | None


class TaskRunInputOut(BaseModel):
    """One entry of `task_inputs`: `task_run`/`flow_run` carry `id`, `parameter` a `name`,
    `constant` a `type`."""

    input_type: Literal["task_run", "flow_run", "parameter", "constant"]
    id: UUID | None = None
    name: str | None = None
    type: str | None = None


class TaskRunResponse(ORMOut):
    """Durations are float seconds; datetimes are UTC with a `Z`."""

    name: str
    flow_run_id: UUID | None
    task_key: str
    dynamic_key: str
    cache_key: str | None
    cache_expiration: datetime | None
    task_version: str | None
    empirical_policy: TaskRunPolicyOut
    tags: list[str]
    labels: dict[str, Any] | None
    state_id: UUID | None
    task_inputs: dict[str, list[TaskRunInputOut]]
    state_type: StateType | None
    state_name: str | None
    run_count: int
    flow_run_run_count: int
    expected_start_time: datetime | None
    next_scheduled_start_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    total_run_time: float
    estimated_run_time: float
    estimated_start_time_delta: float
    state: StateOut | None


class TaskRunResponses(RootModel[list[TaskRunResponse]]):
    pass
