"""The one ingestion path, shared by `POST /api/events` and the `/api/events/in` socket."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from events import bus, recorder
from events.conf import event_settings
from events.schemas.event import EventIn, ReceivedEvent, wire_json
from events.storage.inserts import (
    event_resources_insert,
    events_insert_new,
    events_insert_new_with_resources,
)

logger = logging.getLogger(__name__)


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(item) for item in value]
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    return value


def _without_nul(event: ReceivedEvent) -> ReceivedEvent:
    """PostgreSQL's jsonb cannot hold U+0000: it is dropped from every string (on both
    vendors, so they store the same thing)."""
    fields = {name: _strip_nul(getattr(event, name)) for name in NUL_FIELDS}
    return ReceivedEvent.model_construct(**{**dict(event), **fields})


NUL_FIELDS = ("event", "resource", "related", "payload")


def _accepted(events: Sequence[EventIn], received: datetime) -> list[ReceivedEvent]:
    """Stamped with `received`; over-size events dropped (§2.3); one per id (the first)."""
    maximum = event_settings().maximum_size_bytes
    seen: set[UUID] = set()
    accepted = []
    for event in events:
        if event.id in seen:
            continue
        stored = event.receive(received)
        text = wire_json(stored.to_wire())
        size = len(text.encode())
        if size > maximum:
            logger.warning("Refusing to publish event of size %s", size)
            continue
        if "\\u0000" in text:
            stored = _without_nul(stored)
        seen.add(event.id)
        accepted.append(stored)
    return accepted


def events_ingest(
    events: Sequence[EventIn], *, received: datetime | None = None
) -> list[dict[str, Any]]:
    """Store validated events idempotently (by id) and return the ReceivedEvent JSON dicts of
    those newly stored, in the order given.

    Runs in the caller's transaction (or its own): the task-run recorder runs in it too, and
    the new events are published on the bus only after it commits. Events over
    PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES are dropped with a warning; an id seen twice
    (in this batch or stored before) is stored once.
    """
    accepted = _accepted(events, received or timezone.now())
    if not accepted:
        return []
    # No savepoint inside a caller's transaction (a state write): a failure fails it whole.
    with transaction.atomic(savepoint=False):
        combined = events_insert_new_with_resources(accepted)
        new_ids = combined if combined is not None else events_insert_new(accepted)
        stored = [event for event in accepted if event.id in new_ids]
        if not stored:
            return []
        if combined is None:
            event_resources_insert(stored)
        recorder.record_task_run_events(stored)
        wires = [event.to_wire() for event in stored]
        if event_settings().stream_out_enabled:
            transaction.on_commit(lambda: bus.publish_events(wires))
    return wires
