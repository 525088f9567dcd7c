"""Heartbeat bookkeeping: when the server last heard a flow run was alive (spec/services.md §6)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import F, Q

from flowruns.models import FlowRun


def flow_run_heartbeat_record(*, flow_run_id: UUID, received: datetime) -> bool:
    """Move the run's `last_heartbeat` forward to `received` (the server's receive time, never
    the client's clock). A compare-and-set, so it takes no lock and never moves the time
    back, whatever order concurrent heartbeats commit in. False when there is no such run or
    it has heard a later heartbeat already. The beat it replaces becomes `previous_heartbeat`
    (the zombie sweeper learns the client's cadence from the two). `updated` is left alone: a
    heartbeat changes nothing a client reads."""
    later = Q(last_heartbeat__isnull=True) | Q(last_heartbeat__lt=received)
    runs = FlowRun.objects.filter(later, pk=flow_run_id)
    # SET reads the row as it was: the beat it replaces becomes the previous one.
    return runs.update(previous_heartbeat=F("last_heartbeat"), last_heartbeat=received) == 1
