"""Recording one client task-run event: read it as a report, hand it to the flowruns service
that upserts the task run and writes its state (`flowruns.services.reported_task_runs`)."""

from __future__ import annotations

from events.schemas.event import ReceivedEvent
from flowruns.services.reported_task_runs import Recorded, task_run_record_report

from .reports import task_run_report


def task_run_event_record(event: ReceivedEvent) -> Recorded | None:
    """What became of the event: recorded, a duplicate, or waiting for its flow run; None
    when it cannot be recorded at all (a warning says why)."""
    report = task_run_report(event)
    if report is None:
        return None
    return task_run_record_report(report)
