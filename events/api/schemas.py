"""Request bodies of the event routes, and response models for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, RootModel, model_validator
from pydantic_core import PydanticCustomError

from events.counting import TimeUnit
from events.schemas import EventFilter, EventIn

INTERACTIVE_PAGE_SIZE = 50


class EventList(RootModel[list[EventIn]]):
    """`POST /events`: a JSON array of events (may be empty)."""

    @model_validator(mode="before")
    @classmethod
    def _null_is_missing(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("missing", "Field required")
        return value


class EventFilterBody(BaseModel):
    """`POST /events/filter`: both keys optional; unknown top-level keys are ignored."""

    filter: EventFilter | None = None
    limit: int = Field(INTERACTIVE_PAGE_SIZE, ge=0, le=INTERACTIVE_PAGE_SIZE)


class CountByBody(BaseModel):
    """`POST /events/count-by/{countable}`: `filter` is required (`{}` is fine)."""

    filter: EventFilter
    time_unit: TimeUnit = TimeUnit.day
    time_interval: float = Field(1.0, ge=0.01)


class ReceivedEventOut(BaseModel):
    occurred: str
    event: str
    resource: dict[str, str]
    related: list[dict[str, str]]
    payload: dict[str, Any]
    id: str
    follows: str | None
    received: str


class EventPageOut(BaseModel):
    events: list[ReceivedEventOut]
    total: int
    next_page: str | None


class EventCountOut(BaseModel):
    value: str
    label: str
    count: int
    start_time: str
    end_time: str


class EventCountList(RootModel[list[EventCountOut]]):
    pass
