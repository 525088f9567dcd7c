"""Concurrency-slot answers: the limits occupied (always none here) and the lease."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, RootModel


class MinimalLimitOut(BaseModel):
    id: UUID
    name: str
    limit: int


class MinimalLimitOutList(RootModel[list[MinimalLimitOut]]):
    pass


class LeaseOut(BaseModel):
    lease_id: UUID
    limits: list[MinimalLimitOut]
