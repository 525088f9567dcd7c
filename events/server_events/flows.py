"""`prefect.flow.created` (spec/events.md §7.2): emitted when `POST /flows/` inserts a flow,
in its transaction."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from events.schemas.event import RESOURCE_ID, EventIn
from events.services.ingest import events_ingest
from orchestration.ids import uuid7


def flow_created_emit(flow: Any) -> None:
    now = timezone.now()
    event = EventIn.model_construct(
        occurred=now,
        event="prefect.flow.created",
        resource={RESOURCE_ID: f"prefect.flow.{flow.pk}", "prefect.resource.name": flow.name},
        related=[],
        payload={"name": flow.name, "tags": list(flow.tags or []), "labels": flow.labels or {}},
        id=uuid7(),
        follows=None,
    )
    events_ingest([event], received=now)
