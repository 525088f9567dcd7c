"""Event retention on a schedule (service `event_vacuum`): what `manage.py delete_events`
does, through the same service (`events.services.retention`): on PostgreSQL whole daily
partitions older than PREFECT_SERVER_EVENTS_RETENTION_PERIOD (7 days) are dropped and the
upcoming ones created; elsewhere, and for the per-name overrides, batched deletes of
PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE events, one transaction each."""

from __future__ import annotations

from datetime import datetime

from background.sweep import SweepResult
from events.services.retention import events_apply_retention, retention_plan

from .vacuum_settings import vacuum_settings

SERVICE = "event_vacuum"


def events_vacuum(now: datetime) -> SweepResult:
    plan = retention_plan(now=now)
    applied = events_apply_retention(plan, batch_size=vacuum_settings().batch_size)
    result = SweepResult(changed=applied.deleted.events)
    result.examined = applied.deleted.events
    if applied.dropped:
        days = ", ".join(day.isoformat() for day in applied.dropped)
        result.note(f"dropped the event partitions of {days}")
        result.changed += len(applied.dropped)
    for description, deleted in applied.deleted.by_rule.items():
        if deleted:
            result.note(f"deleted {deleted} events {description}")
    return result
