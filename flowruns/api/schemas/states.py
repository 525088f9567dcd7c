from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator

from flowruns.filters.types import UTCDateTime as DateTime
from flowruns.models import StateType
from flowruns.services.orchestration_types import StateProposal

from .bounds import IndexedText


class StateDetailsIn(BaseModel):
    """Unknown keys are dropped, as Prefect does (the envelope around it forbids them)."""

    model_config = ConfigDict(extra="ignore")

    flow_run_id: UUID | None = None
    task_run_id: UUID | None = None
    child_flow_run_id: UUID | None = None
    scheduled_time: DateTime | None = None
    cache_key: str | None = None
    cache_expiration: DateTime | None = None
    deferred: bool | None = False
    untrackable_result: bool = False
    pause_timeout: DateTime | None = None
    pause_reschedule: bool = False
    pause_key: str | None = None
    run_input_keyset: dict[str, str] | None = None
    refresh_cache: bool | None = None
    retriable: bool | None = None
    transition_id: UUID | None = None
    task_parameters_id: UUID | None = None
    traceparent: str | None = None
    deployment_concurrency_lease_id: UUID | None = None


class StateCreate(BaseModel):
    """A proposed state. The server mints `id` and `timestamp`; sending them is a 422."""

    model_config = ConfigDict(extra="forbid")

    type: StateType
    name: IndexedText | None = None
    message: str | None = None
    data: Any = None
    state_details: StateDetailsIn = StateDetailsIn()

    def to_proposal(self) -> StateProposal:
        details = self.state_details.model_dump(exclude_defaults=True)
        return StateProposal(
            type=self.type.value,
            name=self.name,
            message=self.message,
            data=self.data,
            details=details,
        )

    @model_validator(mode="after")
    def _default_name(self) -> StateCreate:
        if self.name is None:
            self.name = self.type.value.replace("_", " ").title()
        return self


def initial_proposal(state: StateCreate | None) -> StateProposal:
    """The first state of a new run: the one the body gives, else PENDING."""
    return (state or StateCreate(type=StateType.PENDING)).to_proposal()


class FlowRunStatesQuery(BaseModel):
    """The query parameters of `GET /flow_run_states/`."""

    flow_run_id: UUID


class TaskRunStatesQuery(BaseModel):
    """The query parameters of `GET /task_run_states/`."""

    task_run_id: UUID
