"""`run_services --once`: one pass of each enabled service, recorded for the admin."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from background.models import ServiceRun, ServiceState
from tests.background.fakes import Calls, service

pytestmark = pytest.mark.django_db


def test_once_runs_each_enabled_service_once_and_records_it(register, capsys):
    late, pauses = Calls(changes=3), Calls(changes=0)
    register(service("late_runs", late), service("pause_expirations", pauses))

    call_command("run_services", "--once")

    assert (len(late.times), len(pauses.times)) == (1, 1)
    state = ServiceState.objects.get(name="late_runs")
    assert (state.last_examined, state.last_changed, state.last_error) == (5, 3, "")
    assert state.last_notes.splitlines() == ["changed run 0", "changed run 1", "changed run 2"]
    assert state.last_started == late.times[0] and state.pid is not None
    assert ServiceState.objects.get(name="pause_expirations").last_started == pauses.times[0]
    # History keeps passes that changed something only.
    assert list(ServiceRun.objects.values_list("service", "changed")) == [("late_runs", 3)]
    assert "late_runs: examined 5, changed 3, failed 0" in capsys.readouterr().out


def test_once_skips_a_disabled_service_but_lists_it(register):
    zombies = Calls(changes=1)
    register(service("zombies", zombies, enabled=False), service("late_runs", Calls()))

    call_command("run_services", "--once")

    assert zombies.times == []
    state = ServiceState.objects.get(name="zombies")
    assert (state.enabled, state.last_started) == (False, None)
    assert ServiceState.objects.get(name="late_runs").last_started is not None


def test_a_raising_service_is_recorded_with_its_error_and_the_others_still_run(register):
    broken = Calls(error=RuntimeError("database said no"))
    after = Calls(changes=1)
    register(service("broken", broken), service("late_runs", after))

    with pytest.raises(CommandError, match="Failed: broken"):
        call_command("run_services", "--once")

    assert len(after.times) == 1
    assert "RuntimeError: database said no" in ServiceState.objects.get(name="broken").last_error
    failed = ServiceRun.objects.get(service="broken")
    assert "Traceback" in failed.error and "database said no" in failed.error
    assert ServiceRun.objects.filter(service="late_runs", changed=1).exists()


def test_a_later_quiet_pass_clears_the_last_error_but_keeps_the_history(register):
    flaky = Calls(error=RuntimeError("once"))
    register(service("flaky", flaky))
    with pytest.raises(CommandError):
        call_command("run_services", "--once")
    flaky.error = None

    call_command("run_services", "--once")

    state = ServiceState.objects.get(name="flaky")
    assert state.last_error == "" and state.last_activity == flaky.times[0]
    assert ServiceRun.objects.filter(service="flaky").count() == 1


def test_service_option_runs_only_the_named_services(register):
    late, pauses, cleanup = Calls(), Calls(), Calls()
    register(
        service("late_runs", late),
        service("pause_expirations", pauses),
        service("cancellation_cleanup", cleanup),
    )

    call_command(
        "run_services", "--once", "--service", "late_runs", "--service", "pause_expirations"
    )

    assert (len(late.times), len(pauses.times), len(cleanup.times)) == (1, 1, 0)


def test_an_unknown_service_name_is_refused_with_the_known_ones(register):
    register(service("late_runs", Calls()))

    with pytest.raises(CommandError, match="Unknown service late; known: late_runs"):
        call_command("run_services", "--once", "--service", "late")
