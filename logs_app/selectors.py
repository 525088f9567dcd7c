"""Reading logs: filtered pages for `/logs/filter`, a run's logs in keyset pages for the CSV
download, and what `delete_logs` selects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from django.db.models import Count, Q

from flowruns.filters.compile import log_filter_q
from flowruns.filters.schemas import LogFilter, LogFilterLevel, LogFilterTimestamp
from flowruns.filters.sorting import LogSort, log_ordering
from flowruns.models import FlowRun
from flowruns.selectors.keyset import keyset_batches
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

    Keyset pagination (`keyset_batches`): every query is a range read of the
    `(flow_run_id, timestamp)` index however deep into the run it is, and no transaction or
    server-side cursor stays open between pages.
    """
    pages = keyset_batches(
        Log.objects.filter(flow_run_id=flow_run_id),
        keys=("timestamp", "id"),
        fields=LogRow._fields,
        batch_size=DOWNLOAD_PAGE_SIZE,
    )
    for page in pages:
        yield [LogRow(*values) for values in page]


def logs_retention_q(*, cutoff: datetime | None, max_level: int | None) -> Q:
    """Logs timestamped at or before `cutoff` whose level is at most `max_level` (each
    optional: None selects every log)."""
    return log_filter_q(
        LogFilter(
            timestamp=None if cutoff is None else LogFilterTimestamp(before_=cutoff),
            level=None if max_level is None else LogFilterLevel(le_=max_level),
        )
    )


def logs_count_by_level(where: Q) -> dict[int, int]:
    """Matching logs per level, for dry runs."""
    rows = Log.objects.filter(where).order_by().values_list("level").annotate(n=Count("pk"))
    return dict(rows)
