"""What the server derives from the events clients send, in the ingesting transaction.

`events_ingest` calls `record_task_run_events` with the events it has just stored (a resend
is not among them), inside its transaction, so a task run and the event that reported it
commit together. Despite the name, heartbeats are handled here too: both are the run-table
bookkeeping that client events drive.

* `prefect.task-run*` events carrying `prefect.orchestration=client` (§6.1) become task runs
  and task-run states (`task_runs`, `reports`); those whose flow run does not exist yet wait
  in `pending`.
* `prefect.flow-run.heartbeat` moves the run's `last_heartbeat` forward (`heartbeats`).

Every other event, including the server's own `prefect.flow-run.<state>` events, costs a
name test and no query.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from events.schemas.event import ReceivedEvent
from flowruns.services.reported_task_runs import Recorded, flow_runs_hold

from .heartbeats import heartbeats_record
from .pending import pending_park, pending_sweep
from .reports import FLOW_RUN, is_client_task_run_event, object_id, related_flow_run
from .task_runs import task_run_event_record

__all__ = ["record_task_run_events"]


def record_task_run_events(events: Sequence[ReceivedEvent]) -> None:
    heartbeats_record(events)
    task_run_events = [event for event in events if is_client_task_run_event(event)]
    if not task_run_events:
        return
    pending_sweep(now=timezone.now())
    # Each flow run of the batch is looked up and locked once, not once per event.
    held = flow_runs_hold(
        run_id
        for event in task_run_events
        if (flow_run := related_flow_run(event)) is not None
        and (run_id := object_id(flow_run, FLOW_RUN)) is not None
    )
    for event in task_run_events:
        if task_run_event_record(event, held_flow_runs=held) is Recorded.FLOW_RUN_MISSING:
            pending_park(event)
