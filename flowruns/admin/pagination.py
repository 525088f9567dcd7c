"""A paginator for tables with millions of rows: it never counts the whole table.

Django's paginator runs `SELECT COUNT(*)` over the filtered list on every page load, which on
a 10M-row log table reads the whole table. This one:

* counts at most `max_rows + 1` matching rows (`SELECT COUNT(*) FROM (SELECT ... LIMIT n)`),
  which stops after `max_rows + 1` index entries however large the table is: exact below that;
* past that, unfiltered, on PostgreSQL: shows the planner's estimate from `pg_class.reltuples`
  (kept by autovacuum/ANALYZE), as healthchecks' admin does; otherwise "more than max_rows".

Page links reach the first `max_rows` rows only (deep OFFSETs re-read every earlier row);
beyond that, narrow the list with filters or reverse the sort. `count_label` says whether the
number shown is exact, an estimate or a lower bound (see `templates/admin/*/pagination.html`).
"""

from __future__ import annotations

import math
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property

EXACT = "exact"
ESTIMATE = "estimate"
AT_LEAST = "at_least"


def table_row_estimate(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of the rows in the queryset's table; None elsewhere or when the
    table has never been analysed (`reltuples` is -1 then)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


class CheapCountPaginator(Paginator):
    """Counts cheaply (see the module docstring); `count_kind` says how the count was made."""

    max_rows = 10_000
    _count_kind = EXACT

    @cached_property
    def count(self) -> int:
        queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        counted = queryset.order_by()[: self.max_rows + 1].count()
        if counted <= self.max_rows:
            return counted
        if not queryset.query.where:
            estimate = table_row_estimate(queryset)
            if estimate is not None and estimate > self.max_rows:
                self._count_kind = ESTIMATE
                return estimate
        self._count_kind = AT_LEAST
        return counted

    @cached_property
    def num_pages(self) -> int:
        reachable = min(self.count, self.max_rows)
        if reachable == 0 and not self.allow_empty_first_page:
            return 0
        hits = max(1, reachable - self.orphans)
        return math.ceil(hits / self.per_page)

    @property
    def count_kind(self) -> str:
        """EXACT, ESTIMATE (PostgreSQL's planner statistics) or AT_LEAST (`max_rows` + 1)."""
        self.count  # noqa: B018 - counting decides the kind
        return self._count_kind

    @property
    def count_label(self) -> str:
        if self.count_kind == ESTIMATE:
            return f"about {number_format(self.count, force_grouping=True)}"
        if self.count_kind == AT_LEAST:
            return f"more than {number_format(self.max_rows, force_grouping=True)}"
        return number_format(self.count, force_grouping=True)

    @property
    def is_truncated(self) -> bool:
        """More rows match than the page links reach."""
        return self.count > self.max_rows
