"""Pydantic models of events and event filters."""

from .event import EventIn, ReceivedEvent, received_event_wire
from .filters import (
    EventAnyResourceFilter,
    EventFilter,
    EventIDFilter,
    EventNameFilter,
    EventOccurredFilter,
    EventOrder,
    EventRelatedFilter,
    EventResourceFilter,
    EventTextFilter,
    label_patterns,
)

__all__ = [
    "EventAnyResourceFilter",
    "EventFilter",
    "EventIDFilter",
    "EventIn",
    "EventNameFilter",
    "EventOccurredFilter",
    "EventOrder",
    "EventRelatedFilter",
    "EventResourceFilter",
    "EventTextFilter",
    "ReceivedEvent",
    "label_patterns",
    "received_event_wire",
]
