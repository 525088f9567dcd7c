"""Task-run events that arrived before their flow run (spec/events.md §6.5).

Prefect retries such an event for about 20 s and then drops it. Here it is parked in
`PendingTaskRunEvent` instead, never failing the ingestion, and recorded

* when the flow run is created (`flow_run_create` tells its listeners, in its transaction);
* or when a later ingestion of task-run events finds the flow run exists (which also covers
  a run created while the event was being parked, in another transaction);

and dropped, with a warning, by the first ingestion of task-run events after it has waited
EVENTS_PENDING_TASK_RUN_TTL_SECONDS (10 minutes by default, at least 30 s).

Rows are taken FOR UPDATE SKIP LOCKED, so two transactions never replay the same event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from pydantic import ValidationError

from events.conf import event_settings
from events.models import PendingTaskRunEvent
from events.schemas.event import ReceivedEvent
from flowruns.models import FlowRun
from flowruns.selectors.prepared import PreparedInstances
from flowruns.services.reported_task_runs import Recorded

from .reports import FLOW_RUN, object_id, related_flow_run
from .task_runs import task_run_event_record

logger = logging.getLogger("events.recorder")

SWEEP_BATCH = 500


def pending_park(event: ReceivedEvent) -> None:
    """Keep the event until its flow run appears (a second park of it is a no-op)."""
    flow_run = related_flow_run(event)
    flow_run_id = None if flow_run is None else object_id(flow_run, FLOW_RUN)
    if flow_run_id is None:  # only events naming a flow run ever wait for one
        return
    row = PendingTaskRunEvent(
        id=event.id, flow_run_id=flow_run_id, event=event.to_wire(), received=event.received
    )
    PendingTaskRunEvent.objects.bulk_create([row], ignore_conflicts=True)
    logger.info("Task-run event %s waits for its flow run %s", event.id, flow_run_id)


def pending_replay_for_flow_run(flow_run: Any) -> None:
    """Record the events parked for a flow run just created (a listener of new flow runs)."""
    _replay(_PARKED_FOR_RUN.all(flow_run.pk))


def pending_sweep(*, now: datetime) -> None:
    """Record the parked events whose flow run exists now; drop those that waited too long."""
    ttl = event_settings().pending_task_run_ttl
    exists = Exists(FlowRun.objects.filter(pk=OuterRef("flow_run_id")))
    due = (
        _taken()
        .annotate(flow_run_exists=exists)
        .filter(Q(flow_run_exists=True) | Q(received__lt=now - ttl))
    )
    rows = list(due[:SWEEP_BATCH])
    _replay(row for row in rows if row.flow_run_exists)
    expired = [row for row in rows if not row.flow_run_exists]
    for row in expired:
        logger.warning(
            "Dropping task-run event %s: its flow run %s did not appear within %d s",
            row.id,
            row.flow_run_id,
            ttl.total_seconds(),
        )
    if expired:
        PendingTaskRunEvent.objects.filter(pk__in=[row.pk for row in expired]).delete()


def _taken() -> QuerySet[PendingTaskRunEvent]:
    return PendingTaskRunEvent.objects.select_for_update(skip_locked=True).order_by(
        "received", "id"
    )


# Every flow-run creation looks for parked events: compiled once (`flowruns.selectors.prepared`).
_PARKED_FOR_RUN = PreparedInstances(
    PendingTaskRunEvent,
    lambda key: _taken().filter(flow_run_id=key),
    key_field=PendingTaskRunEvent._meta.get_field("flow_run_id"),
)


def _replay(rows: Iterable[PendingTaskRunEvent]) -> None:
    done = []
    for row in rows:
        done.append(row.pk)
        try:
            event = ReceivedEvent.model_validate(row.event)
        except ValidationError as error:  # e.g. the event limits were lowered since
            logger.warning("Dropping task-run event %s: %s", row.pk, error.errors()[0]["msg"])
            continue
        if task_run_event_record(event) is Recorded.FLOW_RUN_MISSING:  # deleted again
            done.pop()
    if done:
        PendingTaskRunEvent.objects.filter(pk__in=done).delete()
