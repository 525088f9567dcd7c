"""Filtered, sorted pages of flow runs: what /filter, /count and /paginate answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Q, QuerySet

from flowruns.filters.sorting import FlowRunSort, flow_run_ordering
from flowruns.models import FlowRun

from .flow_run_rows import FlowRunRow, flow_run_rows
from .run_metrics import estimated_lateness


def flow_runs_page(*, where: Q, sort: FlowRunSort, limit: int, offset: int) -> list[FlowRunRow]:
    if limit == 0:
        return []
    ordering = flow_run_ordering(sort)
    if offset == 0:
        return flow_run_rows(FlowRun.objects.filter(where).order_by(*ordering)[:limit])
    # Deep pages: find the page's ids first, so the rows skipped by OFFSET are never joined
    # to their states and queues; then load just those runs.
    ids = list(
        FlowRun.objects.filter(where)
        .order_by(*ordering)
        .values_list("id", flat=True)[offset : offset + limit]
    )
    runs = {run.id: run for run in flow_run_rows(FlowRun.objects.filter(id__in=ids))}  # type: ignore[attr-defined]
    return [runs[run_id] for run_id in ids if run_id in runs]


def flow_runs_count(*, where: Q) -> int:
    return FlowRun.objects.filter(where).count()


def flow_run_ids(*, where: Q, limit: int) -> list[Any]:
    """Ids of up to `limit` matching runs, in the default (ID_DESC) order."""
    queryset: QuerySet[FlowRun] = FlowRun.objects.filter(where).order_by("-id")
    return list(queryset.values_list("id", flat=True)[:limit])


def flow_runs_average_lateness(*, where: Q, now: datetime) -> float | None:
    """Mean lateness in seconds over the matching runs (None when nothing matches)."""
    result = FlowRun.objects.filter(where).aggregate(value=Avg(estimated_lateness(now)))["value"]
    return None if result is None else float(result)
