"""The task-run recorder hook (spec/events.md §6).

`events_ingest` calls `record_task_run_events` with the events it has just stored, inside the
same transaction, so a task run and the event that reported it commit together. The recorder
itself lands with the state-write refactor (issue 9); until then this does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from events.schemas.event import ReceivedEvent


def record_task_run_events(events: Sequence[ReceivedEvent]) -> None:
    """Turn `prefect.task-run.*` client events into task runs and states (not yet)."""
    return None
