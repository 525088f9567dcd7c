"""Helpers for the event tests: events as a client sends them, stored through the one
ingestion service (so `event_resources` rows exist as in production)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from events.schemas import EventIn
from events.services.ingest import events_ingest
from flowruns.api.wire.encoding import dt

FLOW_RUN = "prefect.flow-run.3f1c0b7e-1111-4222-8333-944455556666"


def event_json(
    name: str = "prefect.flow-run.Completed",
    *,
    occurred: datetime | str | None = None,
    resource: dict[str, str] | None = None,
    related: list[dict[str, str]] | None = None,
    payload: dict[str, Any] | None = None,
    id: uuid.UUID | str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An event as a client sends it (every key present, like the Python client)."""
    when = occurred if occurred is not None else timezone.now() - timedelta(seconds=1)
    return {
        "occurred": dt(when) if isinstance(when, datetime) else when,
        "event": name,
        "resource": resource if resource is not None else {"prefect.resource.id": FLOW_RUN},
        "related": related if related is not None else [],
        "payload": payload if payload is not None else {},
        "id": str(id or uuid.uuid4()),
        "follows": None,
        **extra,
    }


def store(*events: dict[str, Any], received: datetime | None = None) -> list[dict[str, Any]]:
    return events_ingest([EventIn.model_validate(e) for e in events], received=received)


@pytest.fixture
def make_event() -> Callable[..., dict[str, Any]]:
    """`make_event(name, **fields)`: store one event, return its ReceivedEvent JSON."""

    def make(name: str = "prefect.flow-run.Completed", **fields: Any) -> dict[str, Any]:
        (stored,) = store(event_json(name, **fields))
        return stored

    return make


def tag(name: str) -> dict[str, str]:
    return {"prefect.resource.id": f"prefect.tag.{name}", "prefect.resource.role": "tag"}


def flow(flow_id: str = "f1", name: str = "etl") -> dict[str, str]:
    return {
        "prefect.resource.id": f"prefect.flow.{flow_id}",
        "prefect.resource.role": "flow",
        "prefect.resource.name": name,
    }
