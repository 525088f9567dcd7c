"""The one table this app adds: which polling worker a scheduled run was handed to.

Pools, queues and workers live in `flowruns.models.work_pool` (runs and deployments point at
queues). A claim row is written by `get_scheduled_flow_runs` for every run it answers with; while
the claim is live (`expires_at` in the future) no other poll hands the run out again. The run
leaves SCHEDULED when its worker proposes PENDING; a worker that never does (it crashed, or
dropped the run) lets the claim lapse and the run is handed out again.
"""

from __future__ import annotations

from django.db import models

from flowruns.models import FlowRun


class FlowRunClaim(models.Model):
    flow_run = models.OneToOneField(
        FlowRun, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "work_pool_flow_run_claim"

    def __str__(self) -> str:
        return f"{self.flow_run_id} until {self.expires_at:%H:%M:%S}"
