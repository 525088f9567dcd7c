"""Log retention: what `logs_retention_q` selects and how `logs_delete_matching` deletes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logs_app import services
from logs_app.models import Log
from logs_app.selectors import logs_count_by_level, logs_retention_q
from logs_app.services import logs_delete_matching
from tests.factories import LogFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def messages(q) -> set[str]:
    return set(Log.objects.filter(q).values_list("message", flat=True))


def test_selection_by_cutoff_and_level_each_optional():
    LogFactory.create(timestamp=at(0), level=10, message="old debug")
    LogFactory.create(timestamp=at(0), level=40, message="old error")
    LogFactory.create(timestamp=at(100), level=10, message="new debug")
    assert messages(logs_retention_q(cutoff=at(50), max_level=None)) == {"old debug", "old error"}
    assert messages(logs_retention_q(cutoff=None, max_level=20)) == {"old debug", "new debug"}
    assert messages(logs_retention_q(cutoff=at(50), max_level=20)) == {"old debug"}
    assert len(messages(logs_retention_q(cutoff=None, max_level=None))) == 3
    assert logs_count_by_level(logs_retention_q(cutoff=at(50), max_level=None)) == {10: 1, 40: 1}


def test_each_batch_is_one_range_delete_in_its_own_transaction():
    for i in range(5):
        LogFactory.create(timestamp=at(i), message=f"m{i}")
    LogFactory.create(timestamp=at(100), message="kept")
    with CaptureQueriesContext(connection) as queries:
        summary = logs_delete_matching(
            where=logs_retention_q(cutoff=at(50), max_level=None), batch_size=2
        )
    assert (summary.deleted, summary.batches) == (5, 3)
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3 and not any(" IN (" in sql for sql in deletes)
    assert messages(logs_retention_q(cutoff=None, max_level=None)) == {"kept"}


def test_a_matching_log_written_into_a_walked_range_goes_with_its_batch(monkeypatch):
    for i in range(4):
        LogFactory.create(timestamp=at(i), message=f"m{i}")
    real = services.raw_delete
    calls = {"n": 0}

    def late_arrival_before_second_batch(queryset):
        calls["n"] += 1
        if calls["n"] == 2:  # lands inside the second batch's range, after it was read
            LogFactory.create(timestamp=at(2.5), message="late")
        return real(queryset)

    monkeypatch.setattr(services, "raw_delete", late_arrival_before_second_batch)
    summary = logs_delete_matching(
        where=logs_retention_q(cutoff=at(50), max_level=None), batch_size=2
    )
    assert summary.deleted == 5
    assert Log.objects.count() == 0
