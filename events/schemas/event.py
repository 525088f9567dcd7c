"""The Event a client sends, and the ReceivedEvent the server stores (spec/events.md §2).

Limits come from `events.conf` (Prefect's settings), read when an event is validated.
Errors carry Prefect's wording: a 422 lists them as `Value error, <message>`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from events.conf import event_settings
from flowruns.api.wire.encoding import dt, uid
from flowruns.filters.types import UTCDateTime

RESOURCE_ID = "prefect.resource.id"
RESOURCE_ROLE = "prefect.resource.role"


def _check_resource(labels: dict[str, str]) -> dict[str, str]:
    maximum = event_settings().maximum_labels_per_resource
    if len(labels) > maximum:
        raise ValueError(f"The maximum number of labels per resource is {maximum}")
    if RESOURCE_ID not in labels:
        raise ValueError("Resources must include the prefect.resource.id label")
    if not labels[RESOURCE_ID]:
        raise ValueError("The prefect.resource.id label must be non-empty")
    return labels


def _check_role(labels: dict[str, str]) -> dict[str, str]:
    if RESOURCE_ROLE not in labels:
        raise ValueError("Related Resources must include the prefect.resource.role label")
    if not labels[RESOURCE_ROLE]:
        raise ValueError("The prefect.resource.role label must be non-empty")
    return labels


def _check_name(name: str) -> str:
    maximum = event_settings().maximum_event_name_length
    if len(name) > maximum:
        raise ValueError(f"Event name must be at most {maximum} characters")
    return name


Resource = Annotated[dict[str, str], AfterValidator(_check_resource)]
RelatedResource = Annotated[
    dict[str, str], AfterValidator(_check_resource), AfterValidator(_check_role)
]


class EventIn(BaseModel):
    """An event as sent on `/events/in` or in `POST /events`. Unknown keys (a client's
    `received`, for one) are ignored."""

    model_config = ConfigDict(extra="ignore")

    occurred: UTCDateTime
    event: Annotated[str, AfterValidator(_check_name)]
    resource: Resource
    related: list[RelatedResource] = Field(default_factory=list)
    payload: dict[str, Any] = Field(default_factory=dict)
    id: UUID
    follows: UUID | None = None

    @field_validator("related")
    @classmethod
    def _at_most_maximum_related(cls, value: list[dict[str, str]]) -> list[dict[str, str]]:
        maximum = event_settings().maximum_related_resources
        if len(value) > maximum:
            raise ValueError(f"The maximum number of related resources is {maximum}")
        return value

    def receive(self, received: datetime) -> ReceivedEvent:
        """This event as stored, stamped with the server's receive time (not re-validated)."""
        return ReceivedEvent.model_construct(**dict(self), received=received)


class ReceivedEvent(EventIn):
    received: UTCDateTime

    @property
    def resource_id(self) -> str:
        return self.resource[RESOURCE_ID]

    @property
    def related_resource_ids(self) -> list[str]:
        return [related[RESOURCE_ID] for related in self.related]

    def to_wire(self) -> dict[str, Any]:
        """Prefect's JSON for a ReceivedEvent, keys in Prefect's order (§2.2)."""
        return received_event_wire(
            occurred=self.occurred,
            event=self.event,
            resource=self.resource,
            related=self.related,
            payload=self.payload,
            id=self.id,
            follows=self.follows,
            received=self.received,
        )


def received_event_wire(
    *,
    occurred: datetime,
    event: str,
    resource: dict[str, str],
    related: list[dict[str, str]],
    payload: dict[str, Any],
    id: UUID,
    follows: UUID | None,
    received: datetime,
) -> dict[str, Any]:
    return {
        "occurred": dt(occurred),
        "event": event,
        "resource": resource,
        "related": related,
        "payload": payload,
        "id": str(id),
        "follows": uid(follows),
        "received": dt(received),
    }


def wire_json(wire: dict[str, Any]) -> str:
    """Compact JSON text; its UTF-8 length is the measure of the size rule (§2.3)."""
    return json.dumps(wire, separators=(",", ":"), ensure_ascii=False)
