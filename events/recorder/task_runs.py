"""Recording one client task-run event: read it as a report, hand it to the flowruns service
that upserts the task run and writes its state (`flowruns.services.reported_task_runs`)."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from events.schemas.event import ReceivedEvent
from flowruns.services.reported_task_runs import Recorded, task_run_record_report

from .reports import task_run_report


def task_run_event_record(
    event: ReceivedEvent, *, held_flow_runs: Collection[UUID] | None = None
) -> Recorded | None:
    """What became of the event: recorded, a duplicate, or waiting for its flow run; None
    when it cannot be recorded at all (a warning says why). `held_flow_runs`: the flow runs
    of the event's batch that exist and are held already (`flow_runs_hold`)."""
    report = task_run_report(event)
    if report is None:
        return None
    return task_run_record_report(report, held_flow_runs=held_flow_runs)
