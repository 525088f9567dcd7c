"""The runner's bookkeeping: one cheap write per pass, history only when something happened.

`services_state_sync` runs when a process becomes the active one (one row per registered
service, with its switch and interval, so the admin lists disabled services too).
`service_pass_record` runs after every pass: one UPDATE of the service's `ServiceState` row,
plus one `ServiceRun` INSERT when the pass changed or failed something. `service_runs_prune`
keeps the history to a week and a row cap, deleting in short batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from .models import ServiceRun, ServiceState
from .sweep import Service, SweepResult

HISTORY_KEEP = timedelta(days=7)
HISTORY_MAX_ROWS = 20_000
PRUNE_BATCH = 1_000


@dataclass(frozen=True)
class Process:
    """Which `run_services` process did the work (shown in the admin)."""

    host: str
    pid: int


@dataclass(frozen=True)
class PassOutcome:
    service: str
    started: datetime
    duration_ms: int
    result: SweepResult
    error: str = ""  # the traceback when the pass raised

    @property
    def eventful(self) -> bool:
        return bool(self.result.changed or self.result.failed or self.error)


def services_state_sync(*, services: list[Service], process: Process, now: datetime) -> None:
    for service in services:
        ServiceState.objects.update_or_create(
            name=service.name,
            defaults={
                "enabled": service.enabled,
                "interval_seconds": service.interval.total_seconds(),
                "host": process.host,
                "pid": process.pid,
                "updated": now,
            },
        )


def service_pass_record(*, outcome: PassOutcome, process: Process) -> None:
    result = outcome.result
    notes = "\n".join(result.notes)
    fields = {
        "last_started": outcome.started,
        "last_duration_ms": outcome.duration_ms,
        "last_examined": result.examined,
        "last_changed": result.changed,
        "last_failed": result.failed,
        "last_error": outcome.error,
        "last_notes": notes,
        "host": process.host,
        "pid": process.pid,
        "updated": outcome.started,
    }
    if outcome.eventful:
        fields["last_activity"] = outcome.started
    with transaction.atomic():
        if not ServiceState.objects.filter(name=outcome.service).update(**fields):
            ServiceState.objects.create(name=outcome.service, **fields)
        if outcome.eventful:
            ServiceRun.objects.create(
                service=outcome.service,
                started=outcome.started,
                duration_ms=outcome.duration_ms,
                examined=result.examined,
                changed=result.changed,
                failed=result.failed,
                error=outcome.error,
                notes=notes,
                host=process.host,
                pid=process.pid,
            )


def service_runs_prune(
    *, now: datetime, keep: timedelta = HISTORY_KEEP, max_rows: int = HISTORY_MAX_ROWS
) -> int:
    """Delete history older than `keep` and beyond the newest `max_rows`; returns the count."""
    newest_kept = ServiceRun.objects.order_by("-id").values_list("id", flat=True)[
        max_rows - 1 : max_rows
    ]
    floor_id = next(iter(newest_kept), None)
    stale = Q(started__lt=now - keep)
    if floor_id is not None:
        stale |= Q(id__lt=floor_id)
    deleted = 0
    while True:
        batch = list(
            ServiceRun.objects.filter(stale)
            .order_by("id")
            .values_list("id", flat=True)[:PRUNE_BATCH]
        )
        if not batch:
            return deleted
        deleted += ServiceRun.objects.filter(id__in=batch).delete()[0]
