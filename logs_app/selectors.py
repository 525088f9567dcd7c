"""Reading logs: filtered pages for `/logs/filter`, and a run's logs in keyset pages for the
CSV download."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from django.db.models import Q

from flowruns.filters.sorting import LogSort, log_ordering
from flowruns.models import FlowRun
from logs_app.models import Log

# Rows fetched per query when streaming a run's logs (Prefect's
# FLOW_RUN_LOGS_DOWNLOAD_PAGE_LIMIT). Read at call time, so tests can patch it.
DOWNLOAD_PAGE_SIZE = 1000


def logs_page(*, where: Q, sort: LogSort, limit: int, offset: int) -> list[Log]:
    """One page in `sort` order; ties on timestamp are broken by id, so pages taken by
    offset neither overlap nor skip rows."""
    if limit == 0:
        return []
    queryset = Log.objects.filter(where).order_by(*log_ordering(sort))
    return list(queryset[offset : offset + limit])


def flow_run_name(flow_run_id: UUID) -> str | None:
    """The run's name, None when there is no such run."""
    return FlowRun.objects.filter(pk=flow_run_id).values_list("name", flat=True).first()


class LogRow(NamedTuple):
    id: UUID
    timestamp: datetime
    level: int
    flow_run_id: UUID | None
    task_run_id: UUID | None
    message: str


def flow_run_log_pages(flow_run_id: UUID) -> Iterator[list[LogRow]]:
    """The run's logs ordered by (timestamp, id), one list per query of `DOWNLOAD_PAGE_SIZE`.

    Keyset pagination: each page starts after the last (timestamp, id) seen, so every query
    is a range read of the `(flow_run_id, timestamp)` index however deep into the run it is
    (an OFFSET re-reads and discards every earlier row, quadratic over a million logs). No
    transaction or server-side cursor stays open between pages.
    """
    page_size = DOWNLOAD_PAGE_SIZE
    rows = (
        Log.objects.filter(flow_run_id=flow_run_id)
        .order_by("timestamp", "id")
        .values_list(*LogRow._fields)
    )
    after: LogRow | None = None
    while True:
        queryset = rows
        if after is not None:
            # The redundant `timestamp >= t` bound is what the index range scan starts from.
            queryset = rows.filter(
                Q(timestamp__gt=after.timestamp) | Q(timestamp=after.timestamp, id__gt=after.id),
                timestamp__gte=after.timestamp,
            )
        page = [LogRow(*values) for values in queryset[:page_size]]
        if page:
            yield page
        if len(page) < page_size:
            return
        after = page[-1]
