"""`manage.py delete_events` (spec/events.md §9.2): the retention period, per-name
overrides and future-stamped events, on either database. The partition-specific behaviour is
in `test_partitions` (PostgreSQL only); the batched deletes of SQLite are tested here."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from events.models import Event, EventResource
from tests.events.conftest import event_json, store, tag

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="PostgreSQL drops whole days (test_partitions)"
)


def delete_events(*args: str) -> str:
    out = StringIO()
    call_command("delete_events", *args, stdout=out, interactive=False)
    return out.getvalue()


def aged(name: str, age: timedelta, **fields) -> dict:
    (stored,) = store(event_json(name, occurred=timezone.now() - age, related=[tag("t")], **fields))
    return stored


def names() -> set[str]:
    return set(Event.objects.values_list("event", flat=True))


def test_events_well_past_the_period_are_deleted_with_their_resource_rows():
    old = aged("old", timedelta(days=9))
    aged("recent", timedelta(hours=1))
    output = delete_events()
    assert names() == {"recent"}
    assert not EventResource.objects.filter(event_id=old["id"]).exists()
    assert EventResource.objects.count() == 2
    assert "Deleted" in output


@sqlite_only
def test_sqlite_deletes_exactly_at_the_cutoff_in_batches():
    for minutes in (1, 2, 3):
        aged(f"expired {minutes}", timedelta(days=7, minutes=minutes))
    aged("kept", timedelta(days=7) - timedelta(minutes=1))
    output = delete_events("--batch-size", "2")
    assert names() == {"kept"}
    assert "Deleted 3 events and 6 resource rows in 2 batches." in output


def test_older_than_replaces_the_period():
    aged("two days", timedelta(days=2, hours=1))
    aged("fresh", timedelta(minutes=5))
    delete_events("--older-than", "1d")
    assert names() == {"fresh"}


def test_the_retention_period_setting_applies(settings):
    settings.PREFECT_SERVER_EVENTS_RETENTION_PERIOD = "P1D"
    aged("two days", timedelta(days=2, hours=1))
    aged("fresh", timedelta(minutes=5))
    delete_events()
    assert names() == {"fresh"}


def test_a_name_override_keeps_those_events_shorter(settings):
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES = (
        '{"prefect.flow-run.heartbeat": 3600}'
    )
    beat = aged("prefect.flow-run.heartbeat", timedelta(hours=2))
    aged("prefect.flow-run.heartbeat", timedelta(minutes=30))
    aged("prefect.flow-run.Running", timedelta(hours=2))
    output = delete_events()
    assert sorted(Event.objects.values_list("event", flat=True)) == [
        "prefect.flow-run.Running",
        "prefect.flow-run.heartbeat",
    ]
    assert not EventResource.objects.filter(event_id=beat["id"]).exists()
    assert "'prefect.flow-run.heartbeat' older than 1:00:00: 1 deleted" in output


def test_an_override_is_capped_by_the_period(settings):
    settings.PREFECT_SERVER_EVENTS_RETENTION_PERIOD = "P2D"
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES = '{"custom": 864000}'
    aged("custom", timedelta(days=3, hours=1))
    delete_events()
    assert names() == set()


def test_future_stamped_events_go_once_received_longer_ago_than_the_period():
    far = timezone.now() + timedelta(days=30)
    store(event_json("stale outlier", occurred=far), received=timezone.now() - timedelta(days=8))
    store(event_json("new outlier", occurred=far))
    delete_events()
    assert names() == {"new outlier"}


def test_dry_run_changes_nothing_and_says_what_it_would_do():
    aged("old", timedelta(days=9))
    output = delete_events("--dry-run")
    assert names() == {"old"}
    assert output.startswith("Dry run.")
    if connection.vendor == "sqlite":
        assert "older than 7 days, 0:00:00: would delete 1" in output
    else:
        assert "Would drop partitions of:" in output


@pytest.mark.parametrize("value", ["soon", "0d", "3600"])
def test_a_bad_age_is_refused(value):
    with pytest.raises(CommandError, match="Invalid age"):
        delete_events("--older-than", value)


def test_batch_size_must_be_positive():
    with pytest.raises(CommandError, match="at least 1"):
        delete_events("--batch-size", "0")
