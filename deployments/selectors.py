"""Reading deployments (spec §6, §9, §12.4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from flowruns.filters.sorting import ordering
from flowruns.models import Deployment, DeploymentSchedule, FlowRun
from flowruns.selectors.flow_runs import flow_runs_for_response
from orchestration.states import StateType


class DeploymentSort(StrEnum):
    CREATED_DESC = "CREATED_DESC"
    UPDATED_DESC = "UPDATED_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


def deployments_for_response() -> QuerySet[Deployment]:
    """Everything a deployment response reads: schedules newest-`updated` first, the queue
    and its pool, and the live lease count of its concurrency limit."""
    now = timezone.now()
    schedules = DeploymentSchedule.objects.order_by("-updated", "-id")
    live = Q(leases__expires_at__isnull=True) | Q(leases__expires_at__gt=now)
    return (
        Deployment.objects.select_related("work_queue__work_pool")
        .prefetch_related(Prefetch("schedules", queryset=schedules))
        .annotate(active_slots=Count("leases", filter=live))
    )


def deployment_get(**lookup: object) -> Deployment | None:
    return deployments_for_response().filter(**lookup).first()


def deployment_by_names(flow_name: str, deployment_name: str) -> Deployment | None:
    return deployment_get(flow__name=flow_name, name=deployment_name)


def deployments_page(
    *, where: Q, sort: DeploymentSort, limit: int, offset: int
) -> Sequence[Deployment]:
    rows = deployments_for_response().filter(where).order_by(*ordering(sort))
    return list(rows[offset : offset + limit])


def deployments_count(*, where: Q) -> int:
    return Deployment.objects.filter(where).count()


def scheduled_runs_for_runner(
    *, deployment_ids: list[UUID], before: datetime | None, limit: int
) -> list[FlowRun]:
    """SCHEDULED runs of these (still existing) deployments due by `before`, soonest first."""
    runs = flow_runs_for_response().filter(
        Exists(Deployment.objects.filter(pk=OuterRef("deployment_id"))),
        deployment_id__in=deployment_ids,
        state_type=StateType.SCHEDULED.value,
    )
    if before is not None:
        runs = runs.filter(next_scheduled_start_time__lte=before)
    return list(runs.order_by("next_scheduled_start_time", "id")[:limit])


def deployments_scheduled_page(*, after: UUID | None, batch: int) -> list[UUID]:
    """A page (by id, after the cursor) of non-paused deployments with an active schedule."""
    rows = Deployment.objects.filter(
        Exists(DeploymentSchedule.objects.filter(deployment_id=OuterRef("pk"), active=True)),
        paused=False,
    )
    if after is not None:
        rows = rows.filter(id__gt=after)
    return list(rows.order_by("id").values_list("id", flat=True)[:batch])


def deployment_needs_runs(
    deployment_id: UUID, *, now: datetime, min_runs: int, min_time_end: datetime
) -> bool:
    """The main loop's test (spec §12.4): an active schedule of the deployment has fewer than
    `min_runs` future auto-scheduled runs (those it created: `created_by.id`), or its last
    one is before `min_time_end`."""
    return _short(deployment_id, now, min_runs, min_time_end)


def _short(deployment_id: UUID, now: datetime, min_runs: int, min_time_end: datetime) -> bool:
    schedule_ids = [
        str(i)
        for i in DeploymentSchedule.objects.filter(
            deployment_id=deployment_id, active=True
        ).values_list("id", flat=True)
    ]
    runs = FlowRun.objects.filter(
        deployment_id=deployment_id,
        state_type=StateType.SCHEDULED.value,
        auto_scheduled=True,
        next_scheduled_start_time__gte=now,
    ).values_list("created_by", "next_scheduled_start_time")
    counts = dict.fromkeys(schedule_ids, 0)
    last: dict[str, datetime] = {}
    for created_by, when in runs:
        key = (created_by or {}).get("id")
        if key in counts and when is not None:
            counts[key] += 1
            last[key] = max(last.get(key, when), when)
    return any(counts[s] < min_runs or last[s] < min_time_end for s in schedule_ids)


def deployments_recently_updated(*, since: datetime) -> list[UUID]:
    """The recent-deployments loop's selection: non-paused, an active schedule, `updated`
    since `since`."""
    rows = Deployment.objects.filter(paused=False, updated__gte=since, schedules__active=True)
    return list(rows.distinct().order_by("id").values_list("id", flat=True))
