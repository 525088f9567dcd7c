"""Request bodies of the concurrency-limit routes, validated as Prefect validates them, and
the documented answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, RootModel

from flowruns.api.schemas.bounds import MAX_INTEGER, Offset

LeaseDuration = Annotated[float, Field(ge=60, le=60 * 60 * 24)]
Name = Annotated[str, Field(pattern=r"^[^/%&><]+$", max_length=500)]
Count = Annotated[int, Field(ge=0, le=MAX_INTEGER)]
Slots = Annotated[int, Field(gt=0, le=MAX_INTEGER)]
Decay = Annotated[float, Field(ge=0)]
Mode = Literal["concurrency", "rate_limit"]


class LeaseHolder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["flow_run", "task_run", "deployment"]
    id: UUID


class IncrementBody(BaseModel):
    slots: Slots
    names: list[str]
    mode: Mode = "concurrency"
    create_if_missing: bool | None = None


class IncrementWithLeaseBody(IncrementBody):
    lease_duration: LeaseDuration = 300
    holder: LeaseHolder | None = None


class DecrementBody(BaseModel):
    slots: Slots
    names: list[str]
    occupancy_seconds: Annotated[float, Field(gt=0)] | None = None
    create_if_missing: bool | None = None


class DecrementWithLeaseBody(BaseModel):
    lease_id: UUID


class RenewLeaseBody(BaseModel):
    lease_duration: LeaseDuration = 300


class LimitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    limit: Count
    active: bool = True
    active_slots: Count = 0
    denied_slots: Count = 0
    slot_decay_per_second: Decay = 0.0


class LimitUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    name: Name | None = None
    limit: Count | None = None
    active_slots: Count | None = None
    denied_slots: Count | None = None
    slot_decay_per_second: Decay | None = None


class PageBody(BaseModel):
    limit: int | None = None
    offset: Offset = 0


class TagLimitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tag: Annotated[str, Field(max_length=200)]
    concurrency_limit: Annotated[int, Field(ge=-MAX_INTEGER, le=MAX_INTEGER)]


class TagResetBody(BaseModel):
    slot_override: list[UUID] | None = None


class TagSlotsBody(BaseModel):
    names: list[str]
    task_run_id: UUID


class MinimalLimitOut(BaseModel):
    id: UUID
    name: str
    limit: int


class LeaseOut(BaseModel):
    lease_id: UUID
    limits: list[MinimalLimitOut]


class LimitOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    active: bool
    name: str
    limit: int
    active_slots: int
    slot_decay_per_second: float


class LimitFullOut(LimitOut):
    denied_slots: int
    avg_slot_occupancy_seconds: float


class TagLimitOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    tag: str
    concurrency_limit: int
    active_slots: list[UUID]


class MinimalLimitOutList(RootModel[list[MinimalLimitOut]]):
    pass


class LimitOutList(RootModel[list[LimitOut]]):
    pass


class TagLimitOutList(RootModel[list[TagLimitOut]]):
    pass
