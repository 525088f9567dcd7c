"""The Prefect settings the event store reads: names, aliases, ISO 8601 durations, and a
refusal to start on bad values (spec/events.md §0, services.md §9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from events.conf import event_settings, reset


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    for name in (
        "PREFECT_SERVER_EVENTS_RETENTION_PERIOD",
        "PREFECT_EVENTS_RETENTION_PERIOD",
        "PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES",
        "PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES",
    ):
        monkeypatch.delenv(name, raising=False)
    reset()
    yield
    reset()


def test_defaults_are_prefects():
    settings = event_settings()
    assert settings.retention_period == timedelta(days=7)
    assert settings.maximum_size_bytes == 1_500_000
    assert settings.maximum_related_resources == 100
    assert settings.maximum_labels_per_resource == 500
    assert settings.maximum_event_name_length == 1024
    assert settings.maximum_websocket_backfill == timedelta(minutes=15)
    assert settings.websocket_backfill_page_size == 250
    assert settings.vacuum_batch_size == 200
    assert settings.retention_overrides == {"prefect.flow-run.heartbeat": timedelta(days=7)}


def test_durations_are_iso_8601(monkeypatch):
    monkeypatch.setenv("PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "P2DT12H")
    reset()
    assert event_settings().retention_period == timedelta(days=2, hours=12)


def test_a_bare_number_of_seconds_is_refused_at_startup(monkeypatch):
    monkeypatch.setenv("PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "3600")
    reset()
    with pytest.raises(ImproperlyConfigured, match="PREFECT_SERVER_EVENTS_RETENTION_PERIOD='3600'"):
        event_settings()


def test_the_alias_is_read_and_the_primary_name_wins(monkeypatch):
    monkeypatch.setenv("PREFECT_EVENTS_RETENTION_PERIOD", "P1D")
    reset()
    assert event_settings().retention_period == timedelta(days=1)
    monkeypatch.setenv("PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "P3D")
    reset()
    assert event_settings().retention_period == timedelta(days=3)


def test_overrides_are_json_seconds(monkeypatch):
    monkeypatch.setenv(
        "PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES",
        '{"prefect.flow-run.heartbeat": 3600, "custom": 1.5}',
    )
    reset()
    assert event_settings().retention_overrides == {
        "prefect.flow-run.heartbeat": timedelta(hours=1),
        "custom": timedelta(seconds=1.5),
    }


@pytest.mark.parametrize("value", ["[]", '{"x": -1}', '{"x": "P1D"}', "not json"])
def test_bad_overrides_are_refused(monkeypatch, value):
    monkeypatch.setenv("PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES", value)
    reset()
    with pytest.raises(ImproperlyConfigured):
        event_settings()


def test_integers_must_be_positive(monkeypatch):
    monkeypatch.setenv("PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES", "0")
    reset()
    with pytest.raises(ImproperlyConfigured, match="must be a positive integer"):
        event_settings()


def test_django_settings_take_precedence(settings, monkeypatch):
    monkeypatch.setenv("PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES", "10")
    settings.PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES = 20
    assert event_settings().maximum_size_bytes == 20
