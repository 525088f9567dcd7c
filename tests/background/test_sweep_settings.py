"""The sweeps' settings: Prefect's names, aliases and defaults (spec/services.md §9), ours for
zombies, and the services the registry builds from them."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from background.conf import reset
from background.registry import services_all


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch):
    for name in list(os.environ):
        if name.startswith((SERVER, API, "ZOMBIE_")):
            monkeypatch.delenv(name)
    reset()
    yield
    reset()


def services() -> dict:
    return {service.name: service for service in services_all()}


def test_the_four_sweeps_run_by_default_at_prefects_intervals():
    found = {name: (s.enabled, s.interval) for name, s in services().items()}

    assert {k: found[k] for k in ("late_runs", "pause_expirations", "cancellation_cleanup")} == {
        "late_runs": (True, timedelta(seconds=5)),
        "pause_expirations": (True, timedelta(seconds=5)),
        "cancellation_cleanup": (True, timedelta(seconds=20)),
    }
    assert found["zombie_flow_runs"] == (True, timedelta(seconds=30))


SERVER, API = "PREFECT_SERVER_SERVICES_", "PREFECT_API_SERVICES_"


@pytest.mark.parametrize(
    ("variable", "service", "field", "value", "expected"),
    [
        (f"{SERVER}LATE_RUNS_ENABLED", "late_runs", "enabled", "false", False),
        (f"{API}LATE_RUNS_LOOP_SECONDS", "late_runs", "interval", "7", 7),
        (f"{API}PAUSE_EXPIRATIONS_ENABLED", "pause_expirations", "enabled", "0", False),
        (f"{SERVER}PAUSE_EXPIRATIONS_LOOP_SECONDS", "pause_expirations", "interval", "2.5", 2.5),
        (f"{SERVER}CANCELLATION_CLEANUP_ENABLED", "cancellation_cleanup", "enabled", "no", False),
        (f"{API}CANCELLATION_CLEANUP_LOOP_SECONDS", "cancellation_cleanup", "interval", "60", 60),
        ("ZOMBIE_FLOW_RUNS_ENABLED", "zombie_flow_runs", "enabled", "false", False),
        ("ZOMBIE_FLOW_RUNS_LOOP_SECONDS", "zombie_flow_runs", "interval", "10", 10),
    ],
)  # fmt: skip
def test_each_switch_and_interval_is_read_from_its_variable_or_alias(
    monkeypatch, variable, service, field, value, expected
):
    monkeypatch.setenv(variable, value)
    reset()

    got = getattr(services()[service], field)

    assert got == (timedelta(seconds=expected) if field == "interval" else expected)


def test_the_primary_name_wins_over_its_alias(monkeypatch):
    from background.sweeps.late_runs import late_runs_settings

    monkeypatch.setenv("PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS", "99")
    monkeypatch.setenv("PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS", "30")
    reset()

    assert late_runs_settings().after == timedelta(seconds=30)


def test_thresholds_default_to_prefects_and_ours():
    from background.sweeps.cancellation_cleanup import cancellation_cleanup_settings
    from background.sweeps.late_runs import late_runs_settings
    from background.sweeps.zombie_flow_runs import zombie_flow_runs_settings

    zombies = zombie_flow_runs_settings()
    assert late_runs_settings().after == timedelta(seconds=15)
    assert cancellation_cleanup_settings().cancelling_timeout == timedelta(seconds=300)
    assert (zombies.after, zombies.max_runtime) == (timedelta(seconds=540), None)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_CANCELLING_TIMEOUT_SECONDS", "0"),
        ("PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS", "soon"),
        ("ZOMBIE_FLOW_RUNS_AFTER_SECONDS", "-5"),
        ("ZOMBIE_FLOW_RUNS_ENABLED", "maybe"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    reset()

    with pytest.raises(ImproperlyConfigured, match=variable):
        services_all()
