"""The `scheduler` and `recent_deployments_scheduler` background services (spec §12.4), run by
`manage.py run_services` (registered in `background.registry`).

* main loop (`PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS`, 60 s): pages through the
  non-paused deployments with an active schedule, by id, and schedules those short of runs;
* recent loop (`…_RECENT_DEPLOYMENTS_LOOP_SECONDS`, 5 s): deployments whose `updated` moved in
  the last loop period + 1 s.

Both call `deployment_schedule_runs` per deployment; a failing deployment is logged, counted
and skipped. Several processes (or the API's own after-write scheduling) running at once
cannot duplicate a run: see `deployments.services.scheduling`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

from background.sweep import SweepResult

from .selectors import (
    deployment_needs_runs,
    deployments_recently_updated,
    deployments_scheduled_page,
)
from .services.scheduling import Window, deployment_schedule_runs, scheduler_settings

logger = logging.getLogger("deployments.scheduler")

NAME = "scheduler"
RECENT_NAME = "recent_deployments_scheduler"


def _schedule_each(result: SweepResult, ids: list[UUID], window: Window) -> None:
    for deployment_id in ids:
        result.examined += 1
        try:
            created = deployment_schedule_runs(deployment_id=deployment_id, window=window)
        except Exception as exc:
            logger.exception("scheduling deployment %s failed", deployment_id)
            result.failed += 1
            result.note(f"deployment {deployment_id}: {type(exc).__name__}: {exc}")
            continue
        if created:
            result.changed += created
            result.note(f"deployment {deployment_id}: {created} run(s) scheduled")


def sweep(now: datetime) -> SweepResult:
    """One pass of the main loop."""
    settings = scheduler_settings()
    window = Window.default(now, settings)
    horizon = now + settings.min_scheduled_time
    result = SweepResult()
    cursor: UUID | None = None
    while True:
        page = deployments_scheduled_page(after=cursor, batch=settings.deployment_batch_size)
        short = [
            d
            for d in page
            if deployment_needs_runs(d, now=now, min_runs=settings.min_runs, min_time_end=horizon)
        ]
        _schedule_each(result, short, window)
        if len(page) < settings.deployment_batch_size:
            return result
        cursor = page[-1]


def sweep_recent(now: datetime) -> SweepResult:
    """One pass of the recent-deployments loop."""
    settings = scheduler_settings()
    since = now - settings.recent_loop - timedelta(seconds=1)
    result = SweepResult()
    _schedule_each(result, deployments_recently_updated(since=since), Window.default(now, settings))
    return result
