"""`prefect.flow-run.heartbeat` bookkeeping (spec/events.md §7.3, services.md §6.2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from events.schemas.event import ReceivedEvent
from flowruns.services.heartbeats import flow_run_heartbeat_record

from .reports import FLOW_RUN, object_id

HEARTBEAT = "prefect.flow-run.heartbeat"


def heartbeats_record(events: Sequence[ReceivedEvent]) -> None:
    """Move each beating flow run's `last_heartbeat` forward to the latest server `received`
    among its heartbeats; heartbeats of unknown runs change nothing."""
    latest: dict[UUID, datetime] = {}
    for event in events:
        if event.event != HEARTBEAT:
            continue
        run_id = object_id(event.resource_id, FLOW_RUN)
        if run_id is not None and (run_id not in latest or event.received > latest[run_id]):
            latest[run_id] = event.received
    for run_id, received in latest.items():
        flow_run_heartbeat_record(flow_run_id=run_id, received=received)
