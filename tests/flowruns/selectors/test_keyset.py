"""`keyset_batches`: the one keyset walk behind run deletion, log deletion and the CSV download."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flowruns.models import FlowRun
from flowruns.selectors.keyset import batch_span_q, keyset_batches
from logs_app.models import Log
from tests.factories import FlowRunFactory, LogFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def log_keys() -> list[tuple[datetime, object]]:
    return list(Log.objects.order_by("timestamp", "id").values_list("timestamp", "id"))


def test_walks_every_row_once_in_key_order_in_batches_of_the_given_size():
    runs = sorted(FlowRunFactory.create_batch(5), key=lambda run: run.id)
    batches = list(keyset_batches(FlowRun.objects.all(), keys=("id",), batch_size=2))
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert [row[0] for batch in batches for row in batch] == [run.id for run in runs]


def test_rows_tied_on_the_first_key_are_split_across_batches_by_the_second():
    for i in range(5):
        LogFactory.create(timestamp=T0, message=f"tie {i}")
    LogFactory.create(timestamp=T0 - timedelta(seconds=1), message="earlier")
    LogFactory.create(timestamp=T0 + timedelta(seconds=1), message="later")
    batches = list(keyset_batches(Log.objects.all(), keys=("timestamp", "id"), batch_size=2))
    assert [len(batch) for batch in batches] == [2, 2, 2, 1]
    assert [row for batch in batches for row in batch] == log_keys()


def test_fields_choose_the_columns_returned_and_may_put_the_keys_anywhere():
    LogFactory.create(timestamp=T0, message="first", level=10)
    LogFactory.create(timestamp=T0 + timedelta(seconds=1), message="second", level=40)
    LogFactory.create(timestamp=T0 + timedelta(seconds=2), message="third", level=20)
    batches = keyset_batches(
        Log.objects.all(),
        keys=("timestamp", "id"),
        fields=("message", "level", "id", "timestamp"),
        batch_size=2,
    )
    assert [[row[:2] for row in batch] for batch in batches] == [
        [("first", 10), ("second", 40)],
        [("third", 20)],
    ]


def test_each_batch_is_a_fresh_limited_query_without_offset():
    FlowRunFactory.create_batch(6)
    with CaptureQueriesContext(connection) as queries:
        batches = list(keyset_batches(FlowRun.objects.all(), keys=("id",), batch_size=3))
    assert len(batches) == 2
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert len(sql) == 3  # two full batches, then one query that finds the end
    assert all("LIMIT 3" in s and "OFFSET" not in s for s in sql)


def test_a_short_last_batch_ends_the_walk_without_another_query():
    FlowRunFactory.create_batch(5)
    with CaptureQueriesContext(connection) as queries:
        list(keyset_batches(FlowRun.objects.all(), keys=("id",), batch_size=2))
    assert len(queries.captured_queries) == 3


def test_deleting_a_batch_before_asking_for_the_next_skips_nothing():
    FlowRunFactory.create_batch(7)
    seen = []
    for batch in keyset_batches(FlowRun.objects.all(), keys=("id",), batch_size=3):
        seen += [row[0] for row in batch]
        FlowRun.objects.filter(id__in=[row[0] for row in batch]).delete()
    assert len(seen) == len(set(seen)) == 7


def test_an_empty_selection_yields_no_batch():
    assert list(keyset_batches(FlowRun.objects.none(), keys=("id",), batch_size=10)) == []


def test_batch_span_covers_the_batch_and_nothing_before_it():
    for i in range(6):
        LogFactory.create(timestamp=T0, message=f"tie {i}")
    keys = ("timestamp", "id")
    first, second, _ = keyset_batches(Log.objects.all(), keys=keys, batch_size=2)

    def spanned(q):
        return list(Log.objects.filter(q).order_by(*keys).values_list(*keys))

    assert spanned(batch_span_q(keys, None, first[-1])) == first
    assert spanned(batch_span_q(keys, first[-1], second[-1])) == second


@pytest.mark.parametrize(
    ("keys", "batch_size"), [(("id",), 0), (("flow_run_id", "timestamp", "id"), 10)]
)
def test_bad_walks_are_refused(keys, batch_size):
    with pytest.raises(ValueError):
        list(keyset_batches(Log.objects.all(), keys=keys, batch_size=batch_size))
