"""Retention on a schedule: the services `event_vacuum`, `flow_run_vacuum` and `log_vacuum`
delete what `delete_events`, `delete_flow_runs` and `delete_logs` would, with Prefect's
switches and periods."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from access.models import DeletionRecord
from background.registry import services_all
from background.sweeps import flow_run_vacuum, log_vacuum
from background.sweeps.event_vacuum import events_vacuum
from background.sweeps.flow_run_vacuum import flow_runs_vacuum
from background.sweeps.log_vacuum import logs_vacuum
from background.sweeps.vacuum_settings import parse_vacuum_kinds
from events.models import Event
from flowruns.models import FlowRun, StateType
from logs_app.models import Log
from tests.events.conftest import event_json, store
from tests.factories import FlowRunFactory, LogFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def enabled() -> dict[str, bool]:
    return {service.name: service.enabled for service in services_all()}


def ended(days_ago: float, state=StateType.COMPLETED, **fields) -> FlowRun:
    now = timezone.now()
    return FlowRunFactory.create(
        state_type=state,
        end_time=now - days_ago * DAY,
        expected_start_time=now - days_ago * DAY - timedelta(hours=1),
        **fields,
    )


# --- switches ------------------------------------------------------------------------------


def test_by_default_only_events_are_vacuumed():
    switches = enabled()
    assert [switches[name] for name in ("event_vacuum", "flow_run_vacuum", "log_vacuum")] == [
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("raw", "kinds"),
    [
        ("events", {"events"}),
        ("true", {"events", "flow_runs", "orphans"}),
        ("false", {"events"}),
        ("flow_runs", {"flow_runs", "orphans"}),
        (" events , flow_runs ", {"events", "flow_runs", "orphans"}),
    ],
)
def test_the_vacuum_switch_reads_like_prefects(raw, kinds):
    assert parse_vacuum_kinds(raw) == kinds


def test_an_unknown_vacuum_kind_stops_start_up(settings):
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED = "events,artifacts"
    with pytest.raises(ImproperlyConfigured, match="DB_VACUUM_ENABLED"):
        services_all()


def test_flow_runs_are_vacuumed_only_when_enabled_and_logs_only_with_a_retention(settings):
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED = "flow_runs"
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_LOOP_SECONDS = "600"
    settings.LOGS_RETENTION_DAYS = "30"

    services = {service.name: service for service in services_all()}

    assert services["flow_run_vacuum"].enabled and services["log_vacuum"].enabled
    assert not services["event_vacuum"].enabled
    assert services["flow_run_vacuum"].interval == timedelta(minutes=10)


def test_events_are_not_vacuumed_without_the_event_persister(settings):
    settings.PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED = "false"
    assert enabled()["event_vacuum"] is False


def test_a_flow_run_retention_of_an_hour_or_less_is_refused(settings):
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD = "3600"
    with pytest.raises(ImproperlyConfigured, match="more than 3600"):
        services_all()


# --- events ----------------------------------------------------------------------------------


def test_events_older_than_the_retention_period_are_deleted():
    store(event_json("old", occurred=timezone.now() - 9 * DAY))
    store(event_json("recent", occurred=timezone.now() - timedelta(hours=1)))

    result = events_vacuum(timezone.now())

    assert set(Event.objects.values_list("event", flat=True)) == {"recent"}
    assert result.changed >= 1 and result.notes
    assert events_vacuum(timezone.now()).changed == 0


# --- flow runs -------------------------------------------------------------------------------


def test_top_level_terminal_runs_past_the_retention_are_deleted_with_their_logs(settings):
    old = ended(91)
    old_log = LogFactory.create(flow_run_id=old.id)
    kept = [
        ended(89),
        ended(200, state=StateType.RUNNING),
        ended(200, parent_task_run=TaskRunFactory.create(flow_run=ended(10))),
    ]

    result = flow_runs_vacuum(timezone.now())

    assert (result.examined, result.changed) == (1, 1)
    assert not FlowRun.objects.filter(pk=old.pk).exists()
    assert not Log.objects.filter(pk=old_log.pk).exists()
    assert FlowRun.objects.filter(pk__in=[run.pk for run in kept]).count() == 3
    assert "COMPLETED 1" in result.notes[0]


def test_the_flow_run_retention_period_is_prefects_setting(settings):
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD = str(10 * 86400)
    ended(11)
    ended(9)

    assert flow_runs_vacuum(timezone.now()).changed == 1


def test_vacuumed_runs_are_in_the_deletion_log_under_the_services_name():
    run = ended(100)

    flow_runs_vacuum(timezone.now())

    record = DeletionRecord.objects.get()
    assert (record.actor, record.kind, record.object_ids) == (
        "command:flow_run_vacuum",
        "flow_run",
        [str(run.pk)],
    )


def test_a_flow_run_pass_is_bounded_and_the_next_one_goes_on(settings, monkeypatch):
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE = "2"
    monkeypatch.setattr(flow_run_vacuum, "BATCHES_PER_PASS", 2)
    for _ in range(7):
        ended(100)

    passes = [flow_runs_vacuum(timezone.now()).changed for _ in range(3)]

    assert passes == [4, 3, 0]
    assert not FlowRun.objects.exists()


# --- logs ------------------------------------------------------------------------------------


def test_logs_are_kept_without_a_log_retention():
    LogFactory.create(timestamp=timezone.now() - 1000 * DAY)

    assert logs_vacuum(timezone.now()).changed == 0
    assert Log.objects.count() == 1


def test_logs_older_than_the_log_retention_are_deleted_in_bounded_passes(settings, monkeypatch):
    settings.LOGS_RETENTION_DAYS = "30"
    settings.PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE = "2"
    monkeypatch.setattr(log_vacuum, "BATCHES_PER_PASS", 2)
    now = timezone.now()
    for minutes in range(5):
        LogFactory.create(timestamp=now - 31 * DAY - timedelta(minutes=minutes))
    recent = LogFactory.create(timestamp=now - 29 * DAY)

    passes = [logs_vacuum(now).changed for _ in range(3)]

    assert passes == [4, 1, 0]
    assert list(Log.objects.values_list("pk", flat=True)) == [recent.pk]
