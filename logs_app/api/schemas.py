"""Request bodies of the log routes, and their response models for the OpenAPI document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator
from pydantic_core import PydanticCustomError

from flowruns.api.schemas.bounds import Offset
from flowruns.filters.bodies import LogQuery
from flowruns.filters.sorting import LogSort
from flowruns.filters.types import UTCDateTime


class LogCreate(BaseModel):
    """One log line (Prefect's `actions.LogCreate`). `level` is a smallint column: values
    outside its range are a 422 here rather than a database error."""

    model_config = ConfigDict(extra="forbid")

    name: str
    level: int = Field(ge=-32768, le=32767)
    message: str
    timestamp: UTCDateTime
    flow_run_id: UUID | None = None
    task_run_id: UUID | None = None


class LogCreateList(RootModel[Sequence[LogCreate]]):
    """A JSON array of logs (may be empty)."""

    # Anything but an array gets the error FastAPI gives for a `Sequence[LogCreate]` body
    # (`is_instance_of`; `sequence_str` for a string), and `null` counts as no body (`missing`).
    @model_validator(mode="before")
    @classmethod
    def _null_is_missing(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("missing", "Field required")
        return value


class LogFilterBody(LogQuery):
    """`POST /logs/filter`: `logs` (LogFilter) plus sort, limit and offset."""

    sort: LogSort = LogSort.TIMESTAMP_ASC
    limit: int | None = None
    offset: Offset = 0


class LogOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    name: str
    level: int
    message: str
    timestamp: datetime
    flow_run_id: UUID | None
    task_run_id: UUID | None


class LogOutList(RootModel[list[LogOut]]):
    pass
