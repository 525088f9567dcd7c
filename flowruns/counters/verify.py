"""Compare the counters with `flow_run` counted afresh, and optionally keep the fresh count.

The fresh count is the rebuild itself, run inside the same transaction: the tables are read
(summed over shards, zero rows dropped), rebuilt from `flow_run` with the rebuild SQL, read
again, and the transaction is rolled back unless `rebuild` is asked for. The per-state run
counts are also checked against a plain `COUNT(*) ... GROUP BY` of `flow_run`. On PostgreSQL
writers of `flow_run` wait while this runs (SHARE lock), and so do readers of the counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Model, Sum

from flowruns.models import (
    FlowRun,
    FlowRunCount,
    FlowRunHistoryHour,
    FlowRunHistorySlot,
    FlowRunTagCount,
)

from .install import counters_rebuild
from .layout import COUNT_KEY, HISTORY_KEY, HISTORY_SUMS, TAG_KEY

Totals = dict[tuple[Any, ...], tuple[int, ...]]

_TABLES: tuple[tuple[type[Model], tuple[str, ...], tuple[str, ...]], ...] = (
    (FlowRunCount, COUNT_KEY, ("n",)),
    (FlowRunTagCount, TAG_KEY, ("n",)),
    (FlowRunHistorySlot, HISTORY_KEY, HISTORY_SUMS),
    (FlowRunHistoryHour, HISTORY_KEY, HISTORY_SUMS),
)


@dataclass
class Verification:
    """Keys whose stored sums differ from the fresh count, per table (empty when exact)."""

    differences: dict[str, list[str]] = field(default_factory=dict)
    rebuilt: bool = False

    @property
    def exact(self) -> bool:
        return not any(self.differences.values())


def _totals(model: type[Model], key: tuple[str, ...], sums: tuple[str, ...]) -> Totals:
    rows = model._default_manager.values(*key).annotate(**{f"t_{s}": Sum(s) for s in sums})
    totals: Totals = {}
    for row in rows.order_by():
        values = tuple(int(row[f"t_{s}"] or 0) for s in sums)
        if any(values):
            totals[tuple(str(row[k]) for k in key)] = values
    return totals


def _diff(stored: Totals, fresh: Totals) -> list[str]:
    keys = sorted(set(stored) | set(fresh))
    return [
        f"{key}: stored {stored.get(key)}, counted {fresh.get(key)}"
        for key in keys
        if stored.get(key) != fresh.get(key)
    ]


def _plain_counts() -> Totals:
    rows = FlowRun.objects.values(*COUNT_KEY).annotate(n=Count("id")).order_by()
    return {tuple(str(row[k]) for k in COUNT_KEY): (row["n"],) for row in rows}


def counters_verify(*, rebuild: bool = False) -> Verification:
    result = Verification()
    with transaction.atomic():
        stored = {model._meta.db_table: _totals(model, k, s) for model, k, s in _TABLES}
        plain = _plain_counts()
        counters_rebuild(connection)
        for model, key, sums in _TABLES:
            table = model._meta.db_table
            result.differences[table] = _diff(stored[table], _totals(model, key, sums))
        result.differences["COUNT(*)"] = _diff(stored[FlowRunCount._meta.db_table], plain)
        if rebuild:
            result.rebuilt = True
        else:
            transaction.set_rollback(True)
    return result
