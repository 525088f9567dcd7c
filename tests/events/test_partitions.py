"""PostgreSQL's daily partitions: created on demand by ingestion and ahead by the
maintenance command, dropped whole by retention. These fail, rather than skip, under
REQUIRE_POSTGRES=1 on SQLite (see tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from events.models import Event, EventResource
from events.storage.partitions import partition_name, partitions_ensure, partitions_list
from tests.events.conftest import event_json, store, tag
from tests.flowruns.services.test_races import run_concurrently

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def days(table: str = "events") -> set[date]:
    return {p.day for p in partitions_list() if p.table == table}


def today() -> date:
    return timezone.now().astimezone(UTC).date()


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return bool(cursor.fetchone()[0])


def test_the_tables_are_partitioned_by_occurred():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_partkeydef(c.oid) FROM pg_class c "
            "WHERE c.relname IN ('events', 'event_resources') ORDER BY 1"
        )
        assert cursor.fetchall() == [
            ("event_resources", "RANGE (occurred)"),
            ("events", "RANGE (occurred)"),
        ]


def test_ingesting_an_event_for_a_new_day_creates_that_days_partitions():
    day = date(2031, 2, 3)
    assert day not in days()
    store(event_json(occurred="2031-02-03T12:00:00Z", related=[tag("x")]))
    assert day in days("events") and day in days("event_resources")
    assert table_exists(partition_name("events", day))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partition_name('event_resources', day)}")
        assert cursor.fetchone()[0] == 2


def test_a_partition_holds_one_utc_day():
    store(
        event_json("late", occurred="2031-02-03T23:59:59.999999Z"),
        event_json("early", occurred="2031-02-04T00:00:00Z"),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT event FROM {partition_name('events', date(2031, 2, 3))}")
        assert cursor.fetchall() == [("late",)]


def test_ingestion_into_an_existing_partition_keeps_the_transaction_usable():
    store(event_json(occurred="2031-02-03T10:00:00Z"))
    store(event_json(occurred="2031-02-03T11:00:00Z"), event_json(occurred="2031-02-05T11:00:00Z"))
    assert Event.objects.count() == 3


def test_a_resend_conflicts_on_occurred_and_id():
    event = event_json(occurred="2031-02-03T10:00:00Z")
    assert len(store(event)) == 1
    assert store(event) == []
    assert (Event.objects.count(), EventResource.objects.count()) == (1, 1)


def test_ensure_is_idempotent_and_reports_what_it_created():
    day = date(2032, 1, 1)
    assert partitions_ensure([day, day]) == [day]
    assert partitions_ensure([day]) == []


def test_maintenance_creates_yesterday_to_days_ahead(settings):
    settings.EVENTS_PARTITIONS_AHEAD_DAYS = 2
    call_command("delete_events", stdout=StringIO(), interactive=False)
    expected = {today() + timedelta(days=n) for n in range(-1, 3)}
    assert expected <= days("events")
    assert expected <= days("event_resources")


def test_retention_drops_whole_days_and_keeps_the_day_holding_the_cutoff():
    now = timezone.now()
    expired = now - timedelta(days=9)
    store(event_json("expired", occurred=expired, related=[tag("t")]))
    boundary = datetime.combine((now - timedelta(days=7)).date(), datetime.min.time(), tzinfo=UTC)
    store(event_json("boundary day", occurred=boundary + timedelta(seconds=1)))
    out = StringIO()
    call_command("delete_events", stdout=out, interactive=False)
    expired_day = expired.astimezone(UTC).date()
    assert expired_day not in days("events") and expired_day not in days("event_resources")
    assert not table_exists(partition_name("events", expired_day))
    assert "Dropped partitions of:" in out.getvalue()
    # The day holding the cutoff survives whole (kept up to one day past the period).
    assert list(Event.objects.values_list("event", flat=True)) == ["boundary day"]


def test_an_emptied_future_partition_is_dropped():
    far = timezone.now() + timedelta(days=40)
    store(event_json(occurred=far), received=timezone.now() - timedelta(days=10))
    assert far.astimezone(UTC).date() in days()
    call_command("delete_events", stdout=StringIO(), interactive=False)
    assert far.astimezone(UTC).date() not in days()


def test_the_dry_run_estimates_what_dropping_would_free():
    store(event_json("expired", occurred=timezone.now() - timedelta(days=9)))
    out = StringIO()
    call_command("delete_events", "--dry-run", stdout=out, interactive=False)
    assert "Would drop partitions of:" in out.getvalue()
    assert "MB)" in out.getvalue()
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_create_a_new_days_partitions_once_and_resends_store_once():
    """Twenty threads send events (half of them the same event) for a day with no partition."""
    day = date(2033, 3, 3)
    shared = event_json("shared", occurred="2033-03-03T08:00:00Z")

    def send(i: int) -> int:
        event = shared if i % 2 else event_json(f"own {i}", occurred="2033-03-03T09:00:00Z")
        return len(store(event))

    try:
        results = run_concurrently(20, send)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(results) == 11  # ten distinct events, and the shared one once
        assert Event.objects.filter(event="shared").count() == 1
        assert EventResource.objects.count() == 11
        assert day in days("events") and day in days("event_resources")
    finally:
        with connection.cursor() as cursor:
            names = [partition_name(table, day) for table in ("events", "event_resources")]
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(names)}")
