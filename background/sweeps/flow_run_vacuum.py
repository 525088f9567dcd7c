"""Flow-run retention on a schedule (service `flow_run_vacuum`, off unless
PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED names `flow_runs`): top-level runs in a terminal
state that ended more than PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD (90 days) ago
are deleted with their states, task runs, inputs, leases and logs.

The deleting is `delete_flow_runs`'s own service (`flow_runs_delete_matching`): batches of
PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE runs, each locked and re-checked in its own
transaction, and recorded in the deletion log under the actor `command:flow_run_vacuum`. A
pass deletes at most BATCHES_PER_PASS batches (the oldest ids first); the next pass goes on.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from access.actors import acting_as, command_actor
from background.sweep import SweepResult
from flowruns.models import FlowRun
from flowruns.selectors.retention import FlowRunSelection
from flowruns.services.flow_runs_delete import flow_runs_delete_matching

from .vacuum_settings import vacuum_settings

SERVICE = "flow_run_vacuum"
BATCHES_PER_PASS = 100


def flow_runs_vacuum(now: datetime) -> SweepResult:
    settings = vacuum_settings()
    cutoff = now - settings.flow_run_retention
    where = FlowRunSelection(cutoff=cutoff).q() & Q(parent_task_run__isnull=True)
    bound = settings.batch_size * BATCHES_PER_PASS
    last = (
        FlowRun.objects.filter(where)
        .order_by("id")
        .values_list("id", flat=True)[bound - 1 : bound]
        .first()
    )
    if last is not None:
        where &= Q(id__lte=last)
    with acting_as(command_actor(SERVICE)):
        summary = flow_runs_delete_matching(where=where, batch_size=settings.batch_size)
    result = SweepResult(examined=summary.deleted, changed=summary.deleted)
    if summary.deleted:
        counts = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.by_state_type.items()))
        result.note(
            f"deleted {summary.deleted} flow runs that ended before {cutoff:%Y-%m-%d %H:%M} "
            f"({counts}) in {summary.batches} batches"
        )
    return result
