"""What every object Prefect stores answers with first (its `ORMBaseModel`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel


class ORMOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
