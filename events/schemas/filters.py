"""The EventFilter of `/events/filter`, `/count-by` and `/events/out` (spec/events.md §8.1).

Every object forbids unknown keys, and every key accepts an explicit `null` meaning "no
criterion" (or the default, for `occurred`, `id` and `order`). Compiled to SQL by
`events.query`, matched in memory by `events.matching`; both implement the semantics written
here and are tested against each other.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowruns.filters.types import UTCDateTime

# label → a pattern or a list of patterns (any of). `*` and `?` are wildcards, a leading `!`
# negates; a missing label never matches, and an empty list matches nothing.
LabelSpec = dict[str, str | list[str]]


def label_patterns(labels: LabelSpec) -> list[tuple[str, list[str]]]:
    return [(name, [value] if isinstance(value, str) else value) for name, value in labels.items()]


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        # `null` for a key with a default (since, until, id, order...) means the default.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


def default_since() -> datetime:
    """The start of the current UTC day, minus 180 days."""
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today, time(), tzinfo=UTC) - timedelta(days=180)


class EventOccurredFilter(_Filter):
    """Inclusive on both ends."""

    since: UTCDateTime = Field(default_factory=default_since)
    until: UTCDateTime = Field(default_factory=lambda: timezone.now())


class EventNameFilter(_Filter):
    """Empty lists mean no criterion."""

    prefix: list[str] | None = None
    exclude_prefix: list[str] | None = None
    name: list[str] | None = None
    exclude_name: list[str] | None = None


class EventResourceFilter(_Filter):
    """The primary resource. `distinct` keeps the first event (in the requested order) of
    each resource id."""

    id: list[str] | None = None
    id_prefix: list[str] | None = None
    labels: LabelSpec | None = None
    distinct: bool = False


class EventRelatedFilter(_Filter):
    """Every given criterion must hold for one and the same related resource."""

    id: list[str] | None = None
    role: list[str] | None = None
    resources_in_roles: list[tuple[str, str]] | None = None
    labels: LabelSpec | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.id or self.role or self.resources_in_roles or self.labels)


class EventAnyResourceFilter(_Filter):
    """Every given criterion must hold for one involved resource (primary or related)."""

    id: list[str] | None = None
    id_prefix: list[str] | None = None
    labels: LabelSpec | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.id or self.id_prefix or self.labels)


class EventIDFilter(_Filter):
    """`[]` (what the client always sends) means no criterion."""

    id: list[UUID] | None = None


class EventTextFilter(_Filter):
    query: str = Field(max_length=200)


class EventOrder(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class EventFilter(_Filter):
    occurred: EventOccurredFilter = Field(default_factory=EventOccurredFilter)
    event: EventNameFilter | None = None
    resource: EventResourceFilter | None = None
    related: EventRelatedFilter | list[EventRelatedFilter] | None = None
    any_resource: EventAnyResourceFilter | list[EventAnyResourceFilter] | None = None
    id: EventIDFilter = Field(default_factory=EventIDFilter)
    text: EventTextFilter | None = None
    order: EventOrder = EventOrder.DESC

    @property
    def related_filters(self) -> list[EventRelatedFilter]:
        found = self.related if isinstance(self.related, list) else [self.related]
        return [f for f in found if f is not None and not f.is_empty]

    @property
    def any_resource_filters(self) -> list[EventAnyResourceFilter]:
        given = self.any_resource
        found = given if isinstance(given, list) else [given]
        return [f for f in found if f is not None and not f.is_empty]

    @property
    def distinct(self) -> bool:
        return self.resource is not None and self.resource.distinct

    def within(
        self, *, since: datetime | None = None, order: EventOrder | None = None
    ) -> EventFilter:
        """A copy with `occurred.since` raised to at least `since` and/or another order."""
        occurred = self.occurred
        if since is not None and since > occurred.since:
            occurred = occurred.model_copy(update={"since": since})
        return self.model_copy(update={"occurred": occurred, "order": order or self.order})
