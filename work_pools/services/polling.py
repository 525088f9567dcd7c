"""Worker polling: `POST /work_pools/{name}/get_scheduled_flow_runs` (spec/work_pools.md §5)
and the legacy `POST /work_queues/{id}/get_runs` (§7), with the poll's side effects on queues
and deployments (§4.6, deployments.md §13).

Selection follows Prefect: unpaused queues by priority, each capped by its own limit, the
whole answer by the pool's limit and `limit`. Unlike Prefect, every run handed out is claimed
(`claims`) so that two workers polling at once never receive the same run; claimed runs also
count as occupying a slot, otherwise a second poller would receive *another* run past a
limit the first poller's run is about to fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from flowruns.models import Deployment, FlowRun, WorkPool, WorkQueue
from flowruns.models.work_pool import WorkStatus
from orchestration.states import StateType

from ..models import FlowRunClaim
from ..selectors import OCCUPYING
from .claims import runs_claim

UNCAPPED = 1000
SCHEDULED = StateType.SCHEDULED.value


@dataclass(frozen=True)
class Handed:
    run: FlowRun
    queue: WorkQueue


def _live_claim(now: datetime) -> Exists:
    return Exists(FlowRunClaim.objects.filter(flow_run_id=OuterRef("pk"), expires_at__gt=now))


def _candidates(
    queue: WorkQueue,
    *,
    now: datetime,
    scheduled_before: datetime | None,
    scheduled_after: datetime | None,
) -> QuerySet[FlowRun]:
    # A missing or null `retry_type` is not `in_process` (plain `exclude` would drop those).
    retry_type = Coalesce(KT("empirical_policy__retry_type"), Value(""), output_field=TextField())
    runs = (
        FlowRun.objects.filter(work_queue=queue, state_type=SCHEDULED)
        .alias(retry_type=retry_type)
        .exclude(retry_type="in_process")
    )
    if scheduled_before is not None:
        runs = runs.filter(next_scheduled_start_time__lte=scheduled_before)
    if scheduled_after is not None:
        runs = runs.filter(next_scheduled_start_time__gte=scheduled_after)
    return runs.order_by("next_scheduled_start_time", "id")


def _occupied(queue_ids: Sequence[UUID], now: datetime) -> dict[UUID, int]:
    """Per queue: runs in PENDING or RUNNING, plus scheduled runs under a live claim."""
    rows = (
        FlowRun.objects.filter(work_queue_id__in=list(queue_ids))
        .filter(
            Q(state_type__in=OCCUPYING)
            | Q(
                state_type=SCHEDULED,
                pk__in=FlowRunClaim.objects.filter(expires_at__gt=now).values("flow_run_id"),
            )
        )
        .values("work_queue_id")
        .annotate(n=Count("id"))
    )
    return {row["work_queue_id"]: row["n"] for row in rows}


def _cap(limit: int | None, occupied: int) -> int:
    return UNCAPPED if limit is None else max(0, limit - occupied)


def scheduled_flow_runs_claim(
    *,
    pool: WorkPool,
    queues: Sequence[WorkQueue],
    scheduled_before: datetime | None = None,
    scheduled_after: datetime | None = None,
    limit: int = 200,
    now: datetime | None = None,
) -> list[Handed]:
    """The runs a worker of `pool` may start now, each claimed for this caller only.
    `queues` are the polled queues (priority order); paused ones are skipped."""
    now = now or timezone.now()
    if pool.is_paused:
        return []
    active = [q for q in queues if not q.is_paused]
    if not active:
        return []
    limited = pool.concurrency_limit is not None or any(
        q.concurrency_limit is not None for q in active
    )
    handed: list[Handed] = []
    with transaction.atomic():
        if limited:
            # Polls of a pool with limits take turns, so two of them cannot both fill the
            # last free slot.
            list(WorkPool.objects.select_for_update().filter(pk=pool.pk).values_list("pk"))
        occupied: dict[UUID, int] = {}
        pool_cap = UNCAPPED
        if limited:
            unpaused = list(
                WorkQueue.objects.filter(work_pool=pool, is_paused=False).values_list(
                    "pk", flat=True
                )
            )
            occupied = _occupied(unpaused, now)
            if pool.concurrency_limit is not None:
                pool_cap = _cap(pool.concurrency_limit, sum(occupied.values()))
        wanted = min(limit, pool_cap)
        for queue in sorted(active, key=lambda q: (q.priority, q.name)):
            room = min(
                wanted - len(handed), _cap(queue.concurrency_limit, occupied.get(queue.pk, 0))
            )
            if wanted - len(handed) <= 0:
                break
            if room <= 0:
                continue
            candidates = _candidates(
                queue, now=now, scheduled_before=scheduled_before, scheduled_after=scheduled_after
            ).exclude(_live_claim(now))
            if connection.vendor == "postgresql":
                candidates = candidates.select_for_update(skip_locked=True, of=("self",))
            ids = list(candidates.values_list("id", flat=True)[:room])
            won = runs_claim(ids, now=now)
            runs = FlowRun.objects.in_bulk([i for i in ids if i in won])
            handed += [Handed(run=runs[i], queue=queue) for i in ids if i in runs]
    return handed


def queues_polled(*, queues: Sequence[WorkQueue], now: datetime | None = None) -> None:
    """A poll of these queues: `last_polled = now`, NOT_READY → READY, and their deployments
    READY with `last_polled = now`. Bulk updates: `updated` is left alone (a poll is not an
    edit, deployments.md §13)."""
    now = now or timezone.now()
    ids = [q.pk for q in queues]
    if not ids:
        return
    WorkQueue.objects.filter(pk__in=ids).update(last_polled=now)
    WorkQueue.objects.filter(pk__in=ids, status=WorkStatus.NOT_READY).update(
        status=WorkStatus.READY
    )
    Deployment.objects.filter(work_queue_id__in=ids).update(
        status=Deployment.Status.READY, last_polled=now
    )


def queue_scheduled_runs(
    *, queue: WorkQueue, limit: int, scheduled_before: datetime | None, now: datetime | None = None
) -> list[FlowRun]:
    """Legacy `get_runs`: SCHEDULED runs of one queue, earliest first, none when paused,
    capped by the queue limit counted the legacy way (by `work_queue_name`). Read-only."""
    now = now or timezone.now()
    if queue.is_paused:
        return []
    cap = limit
    if queue.concurrency_limit is not None:
        busy = FlowRun.objects.filter(
            work_queue_name=queue.name,
            state_type__in=(*OCCUPYING, StateType.CANCELLING.value),
        ).count()
        cap = min(cap, max(0, queue.concurrency_limit - busy))
    if cap <= 0:
        return []
    runs = _candidates(queue, now=now, scheduled_before=scheduled_before, scheduled_after=None)
    return list(runs.select_related("work_queue__work_pool", "state")[:cap])
