"""Bodies of the concurrency-slot routes, validated as Prefect validates them (a malformed
call gets the same 422) though this server has no limits to apply them to."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

LeaseDuration = Annotated[float, Field(ge=60, le=60 * 60 * 24)]


class LeaseHolder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["flow_run", "task_run", "deployment"]
    id: UUID


class IncrementBody(BaseModel):
    slots: Annotated[int, Field(gt=0)]
    names: Annotated[list[str], Field(min_length=1)]
    mode: Literal["concurrency", "rate_limit"] = "concurrency"
    create_if_missing: bool | None = None


class IncrementWithLeaseBody(BaseModel):
    slots: Annotated[int, Field(gt=0)]
    names: Annotated[list[str], Field(min_length=1)]
    mode: Literal["concurrency", "rate_limit"] = "concurrency"
    lease_duration: LeaseDuration = 300
    holder: LeaseHolder | None = None


class DecrementBody(BaseModel):
    slots: Annotated[int, Field(gt=0)]
    names: Annotated[list[str], Field(min_length=1)]
    occupancy_seconds: Annotated[float, Field(gt=0)] | None = None
    create_if_missing: bool | None = None


class DecrementWithLeaseBody(BaseModel):
    lease_id: UUID


class RenewLeaseBody(BaseModel):
    lease_duration: LeaseDuration = 300
