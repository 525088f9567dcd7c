"""Filtered, sorted pages of flow runs: what /filter, /count and /paginate answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Avg, Q, QuerySet

from flowruns.filters.sorting import FlowRunSort, flow_run_ordering
from flowruns.models import FlowRun

from .flow_run_json import flow_runs_json_by_ids
from .flow_run_rows import SELECTED, FlowRunRow, flow_run_rows
from .prepared import PreparedRows
from .run_metrics import estimated_lateness
from .state_branches import branch_plan, state_branch_ids


def flow_runs_page(*, where: Q, sort: FlowRunSort, limit: int, offset: int) -> list[FlowRunRow]:
    """A filter that pins a few state types (or names) is read one ordered branch per state
    (`state_branches`) when an index serves the sort that way: the page's ids from the
    indexes alone, then just those runs. Otherwise the first page is one query, and deeper
    pages find their ids first, so the rows skipped by OFFSET are never read whole or joined
    to their states and queues."""
    if limit == 0:
        return []
    plan = branch_plan(where, sort)
    if plan is None and offset == 0:
        runs = FlowRun.objects.filter(where).order_by(*flow_run_ordering(sort))
        return flow_run_rows(runs[:limit])
    return flow_runs_by_ids(_page_ids(where, sort, limit, offset, plan))


def flow_run_page_ids(*, where: Q, sort: FlowRunSort, limit: int, offset: int) -> list[Any]:
    """The ids of one page of matching runs, in order (from the indexes where they serve)."""
    return _page_ids(where, sort, limit, offset, branch_plan(where, sort))


def _page_ids(
    where: Q, sort: FlowRunSort, limit: int, offset: int, plan: tuple[str, list[str]] | None
) -> list[Any]:
    if plan is not None:
        column, values = plan
        return state_branch_ids(
            where=where, column=column, values=values, sort=sort, limit=limit, offset=offset
        )
    runs = FlowRun.objects.filter(where).order_by(*flow_run_ordering(sort))
    return list(runs.values_list("id", flat=True)[offset : offset + limit])


def flow_runs_page_json(
    *, where: Q, sort: FlowRunSort, limit: int, offset: int, now: datetime
) -> bytes:
    """`flow_runs_page` as FlowRunResponse JSON built by PostgreSQL (`flow_run_json`): the
    page's ids first, then one statement renders those runs."""
    if limit == 0:
        return b"[]"
    ids = flow_run_page_ids(where=where, sort=sort, limit=limit, offset=offset)
    return flow_runs_json_by_ids(ids, now=now)


_ROWS_BY_IDS = PreparedRows(
    lambda ids: FlowRun.objects.filter(id__any_of=ids).values_list(*SELECTED),
    FlowRun._meta.pk,
    many=True,
)


def flow_runs_by_ids(ids: list[Any]) -> list[FlowRunRow]:
    """The runs of `ids` as rows, in the order of `ids` (ids no longer there are skipped).
    On PostgreSQL one prepared statement for any list (`= ANY(array)`), compiled once."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        found = [FlowRunRow(values) for values in _ROWS_BY_IDS.rows(ids)]
    else:
        found = flow_run_rows(FlowRun.objects.filter(id__in=ids))
    runs = {run.id: run for run in found}  # type: ignore[attr-defined]
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
