"""Walking a queryset by keyset: `WHERE key > last ORDER BY key LIMIT n`, never OFFSET.

Each batch is a fresh query starting after the last key seen, so every query is a range read
of the key's index however deep into the table it is (an OFFSET re-reads and discards every
earlier row), the caller may delete a batch before asking for the next, and no cursor or
transaction stays open in between. Retention deletes flow runs (by id) and logs (by
timestamp, id) with it; the CSV download streams a run's logs with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Q, QuerySet

Key = tuple[Any, ...]


def keyset_batches(
    queryset: QuerySet[Any],
    *,
    keys: Sequence[str],
    batch_size: int,
    fields: Sequence[str] = (),
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `queryset` in key order, `batch_size` at a time, as tuples of `fields`
    (which must include the keys; by default the keys alone).

    One or two keys; the first must be indexed for this to be cheap, and together they must
    be unique (`("timestamp", "id")`), or rows that tie on them across a batch boundary would
    be skipped.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not 1 <= len(keys) <= 2:
        raise ValueError("keyset batches take one or two keys")
    columns = tuple(fields) or tuple(keys)
    positions = [columns.index(key) for key in keys]
    rows = queryset.order_by(*keys).values_list(*columns)
    last: Key | None = None
    while True:
        page = rows if last is None else rows.filter(after_q(keys, last))
        batch = [tuple(row) for row in page[:batch_size]]
        if batch:
            yield batch
        if len(batch) < batch_size:
            return
        last = tuple(batch[-1][i] for i in positions)


def after_q(keys: Sequence[str], last: Key) -> Q:
    """Rows whose keys come after `last` in key order."""
    if len(keys) == 1:
        return Q(**{f"{keys[0]}__gt": last[0]})
    if len(keys) == 2:
        first, second = keys
        # The redundant `first >= v` is the bound an index range scan starts from.
        return Q(**{f"{first}__gte": last[0]}) & (
            Q(**{f"{first}__gt": last[0]}) | Q(**{first: last[0], f"{second}__gt": last[1]})
        )
    raise ValueError("keyset batches take one or two keys")


def up_to_q(keys: Sequence[str], last: Key) -> Q:
    """Rows whose keys are `last` or come before it (the complement of `after_q`)."""
    if len(keys) == 1:
        return Q(**{f"{keys[0]}__lte": last[0]})
    if len(keys) == 2:
        first, second = keys
        return Q(**{f"{first}__lte": last[0]}) & (
            Q(**{f"{first}__lt": last[0]}) | Q(**{first: last[0], f"{second}__lte": last[1]})
        )
    raise ValueError("keyset batches take one or two keys")


def batch_span_q(keys: Sequence[str], previous: Key | None, last: Key) -> Q:
    """The key range a batch covers: after the previous batch's last key, up to its own."""
    span = up_to_q(keys, last)
    return span if previous is None else span & after_q(keys, previous)
