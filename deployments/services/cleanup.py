"""Deleting a deployment's scheduled runs when its schedules change (spec §12.5)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import Q

from flowruns.models import FlowRun
from flowruns.services.flow_runs_delete import flow_runs_delete
from orchestration.states import StateType

AWAITING_SLOT = "AwaitingConcurrencySlot"


def _unstarted(deployment_id: UUID) -> Q:
    return Q(deployment_id=deployment_id, state_type=StateType.SCHEDULED.value, run_count=0) & ~Q(
        state_name=AWAITING_SLOT
    )


def scheduled_runs_delete(
    *, deployment_id: UUID, auto_only: bool = True, after: datetime | None = None
) -> int:
    """Delete the deployment's SCHEDULED runs that never ran (not those awaiting a slot):
    only auto-scheduled ones when `auto_only`, only those due after `after` when given.
    Each is re-checked under its row lock, so a run picked up meanwhile stays."""
    where = _unstarted(deployment_id)
    if auto_only:
        where &= Q(auto_scheduled=True)
    if after is not None:
        where &= Q(next_scheduled_start_time__gt=after)
    ids = list(FlowRun.objects.filter(where).values_list("id", flat=True))
    return len(flow_runs_delete(ids=ids, where=where))
