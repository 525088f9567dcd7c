"""A state write stores its event without savepoints once today's partition is known."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from events.models import Event
from tests.events.conftest import event_json, store

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _savepoints(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]


def test_after_a_committed_insert_todays_events_take_no_savepoint():
    store(event_json("first"))  # commits: today's partition is now known to exist
    with CaptureQueriesContext(connection) as queries:
        store(event_json("second"))
    assert _savepoints(queries) == []
    assert Event.objects.count() == 2


def test_a_rolled_back_insert_does_not_make_its_day_known():
    with pytest.raises(RuntimeError), transaction.atomic():
        store(event_json("rolled-back"))
        raise RuntimeError
    with CaptureQueriesContext(connection) as queries:
        store(event_json("after"))
    assert _savepoints(queries) != []  # still guarded: nothing proved the partition committed
    assert list(Event.objects.values_list("event", flat=True)) == ["after"]
