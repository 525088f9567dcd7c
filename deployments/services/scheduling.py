"""Materialising a deployment's schedules into flow runs (spec/deployments.md §12.2-12.3).

One pass for one deployment runs in one transaction under the deployment's write lock
(`locking.deployment_lock`), re-reading the deployment and its active schedules under it: an
edit that deletes or rebuilds the deployment's runs either happens before (and the pass sees
the new schedules) or after (and deletes what the pass wrote), never in between. Each run is
created through the flow-run create path with the idempotency key
`scheduled <deployment> <schedule> <local date>`: the (flow, idempotency_key) unique
constraint makes a second insert of the same date, by any process, a no-op that returns the
existing run. So re-running the scheduler, or running several at once, never duplicates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction

from config.prefect_settings import parse_bool, parse_positive_int, parse_seconds, setting_read
from flowruns.models import Deployment, DeploymentSchedule
from flowruns.services.flow_runs import flow_run_create
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from orchestration.states import StateType

from ..schedules.dates import dates_to_schedule
from ..schedules.shapes import schedule_kind
from .locking import deployment_lock

logger = logging.getLogger("deployments.scheduler")

PREFIX = "PREFECT_SERVER_SERVICES_SCHEDULER_"
ALIAS = "PREFECT_API_SERVICES_SCHEDULER_"


@dataclass(frozen=True)
class SchedulerSettings:
    enabled: bool
    loop: timedelta
    recent_loop: timedelta
    deployment_batch_size: int
    max_runs: int
    min_runs: int
    max_scheduled_time: timedelta
    min_scheduled_time: timedelta
    insert_batch_size: int


def _read(name: str, default: Any, parse: Any) -> Any:
    return setting_read(f"{PREFIX}{name}", default, parse, f"{ALIAS}{name}")


def scheduler_settings() -> SchedulerSettings:
    """Prefect's settings and defaults (spec §12.3), read from the environment each call."""
    return SchedulerSettings(
        enabled=_read("ENABLED", True, parse_bool),
        loop=_read("LOOP_SECONDS", timedelta(seconds=60), parse_seconds),
        recent_loop=_read("RECENT_DEPLOYMENTS_LOOP_SECONDS", timedelta(seconds=5), parse_seconds),
        deployment_batch_size=_read("DEPLOYMENT_BATCH_SIZE", 100, parse_positive_int),
        max_runs=_read("MAX_RUNS", 100, parse_positive_int),
        min_runs=_read("MIN_RUNS", 3, parse_positive_int),
        max_scheduled_time=_read("MAX_SCHEDULED_TIME", timedelta(days=100), parse_seconds),
        min_scheduled_time=_read("MIN_SCHEDULED_TIME", timedelta(hours=1), parse_seconds),
        insert_batch_size=_read("INSERT_BATCH_SIZE", 500, parse_positive_int),
    )


@dataclass(frozen=True)
class Window:
    """Which dates a pass takes: from `start`, at most `max_runs`, until `end`; enough once
    `min_runs` reach `now + min_time`."""

    now: datetime
    start: datetime
    end: datetime
    min_runs: int
    max_runs: int
    min_time: timedelta

    @classmethod
    def default(cls, now: datetime, settings: SchedulerSettings | None = None) -> Window:
        s = settings or scheduler_settings()
        return cls(
            now=now,
            start=now,
            end=now + s.max_scheduled_time,
            min_runs=s.min_runs,
            max_runs=s.max_runs,
            min_time=s.min_scheduled_time,
        )


def idempotency_key(deployment_id: UUID, schedule_id: UUID, date: datetime) -> str:
    """`scheduled <deployment> <schedule> 2026-12-05 22:00:00-05:00` (the local date)."""
    return f"scheduled {deployment_id} {schedule_id} {date}"


def _created_by(schedule: DeploymentSchedule) -> dict[str, Any]:
    return {
        "id": str(schedule.id),
        "type": "SCHEDULE",
        "display_value": schedule.slug or schedule_kind(schedule.schedule),
    }


def _run_fields(
    deployment: Deployment, schedule: DeploymentSchedule, date: datetime
) -> dict[str, Any]:
    return {
        "name": "",
        "deployment_id": deployment.id,
        "deployment_version": deployment.version,
        "parameters": {**(deployment.parameters or {}), **(schedule.parameters or {})},
        "infrastructure_document_id": deployment.infrastructure_document_id,
        "idempotency_key": idempotency_key(deployment.id, schedule.id, date),
        "tags": ["auto-scheduled", *[t for t in deployment.tags or [] if t != "auto-scheduled"]],
        "auto_scheduled": True,
    }


def deployment_schedule_runs(
    *, deployment_id: UUID, window: Window, include_paused: bool = False
) -> int:
    """Create the runs of the deployment's active schedules for `window` (none when it is
    gone, or paused unless `include_paused`: the manual `/schedule` route). Returns how many
    runs this call inserted."""
    inserted = 0
    with transaction.atomic():
        deployment_lock(deployment_id)
        deployment = (
            Deployment.objects.select_related("work_queue__work_pool")
            .filter(pk=deployment_id)
            .first()
        )
        if deployment is None or (deployment.paused and not include_paused):
            return 0
        queue = deployment.work_queue
        for schedule in deployment.schedules.filter(active=True).order_by("id"):
            try:
                dates = dates_to_schedule(
                    schedule.schedule,
                    start=window.start,
                    end=window.end,
                    now=window.now,
                    min_runs=window.min_runs,
                    max_runs=window.max_runs,
                    min_time=window.min_time,
                )
            except Exception:  # a schedule that cannot produce dates is skipped, not fatal
                logger.exception("schedule %s of deployment %s failed", schedule.id, deployment_id)
                continue
            for date in dates:
                state = StateProposal(
                    type=StateType.SCHEDULED.value,
                    name="Scheduled",
                    message="Flow run scheduled",
                    details={"scheduled_time": date},
                )
                _, created = flow_run_create(
                    flow_id=deployment.flow_id,
                    fields=_run_fields(deployment, schedule, date),
                    state=state,
                    call=OrchestrationCall(),
                    created_by=_created_by(schedule),
                    work_pool_name=queue.work_pool.name if queue is not None else None,
                    work_queue_name=queue.name if queue is not None else deployment.work_queue_name,
                )
                inserted += created
    return inserted


def deployment_schedule_now(deployment_id: UUID, now: datetime) -> None:
    """Schedule right after a write (create, PATCH, resume, schedule edits), so runs appear
    without waiting for a loop; a failure is logged and left to the scheduler service."""
    try:
        deployment_schedule_runs(deployment_id=deployment_id, window=Window.default(now))
    except Exception:
        logger.exception("scheduling deployment %s after a write failed", deployment_id)


def schedule_on_commit(deployment_id: UUID, now: datetime) -> None:
    transaction.on_commit(lambda: deployment_schedule_now(deployment_id, now))
