"""The runner's loop: intervals per service, losing the lock, stopping, history pruning."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from background.models import ServiceRun
from background.records import Process, service_runs_prune
from background.runner import Runner
from tests.background.fakes import Calls, service

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Lock:
    """A leadership whose answers the test decides."""

    def __init__(self, free: bool = True) -> None:
        self.free = free
        self.ours = False
        self.released = 0

    def acquire(self) -> bool:
        self.ours = self.ours or self.free
        return self.ours

    def held(self) -> bool:
        return self.ours

    def release(self) -> None:
        self.ours = False
        self.released += 1


def runner_for(*services, lock: Lock | None = None, **kwargs) -> Runner:
    return Runner(
        services=list(services),
        leadership=lock or Lock(),
        process=Process(host="test", pid=1),
        retry=timedelta(seconds=5),
        **kwargs,
    )


def test_each_service_runs_on_its_own_interval():
    fast, slow = Calls(), Calls()
    runner = runner_for(service("fast", fast, every=2), service("slow", slow, every=5))
    with time_machine.travel(T0, tick=False) as clock:
        assert runner.take_lead()
        assert runner.tick() == 2.0
        clock.shift(2)
        assert runner.tick() == 2.0  # fast is due again at T0+4, slow at T0+5
        clock.shift(1)
        assert runner.tick() == 1.0  # nothing due at T0+3
        clock.shift(2)
        runner.tick()
    assert [(t - T0).seconds for t in fast.times] == [0, 2, 5]
    assert [(t - T0).seconds for t in slow.times] == [0, 5]


def test_a_raising_pass_does_not_stop_the_loop_or_delay_the_next_one():
    broken = Calls(error=ValueError("bad row"))
    runner = runner_for(service("broken", broken, every=1))
    with time_machine.travel(T0, tick=False) as clock:
        runner.take_lead()
        runner.tick()
        clock.shift(1)
        runner.tick()
    assert len(broken.times) == 2
    assert ServiceRun.objects.filter(service="broken", error__contains="bad row").count() == 2


def test_a_process_that_lost_the_lock_stops_working_at_once_and_stands_by():
    lock = Lock()
    first, second = Calls(), Calls()
    runner = runner_for(service("first", first), service("second", second), lock=lock)
    first.during = lambda: setattr(lock, "ours", False)  # the lock's connection dies mid-pass
    lock.free = False  # and another process takes it
    lock.ours = True

    with time_machine.travel(T0, tick=False):
        runner.take_lead()
        runner.tick()
        assert (len(first.times), len(second.times)) == (1, 0)
        assert not runner.leading
        assert not runner.take_lead()


def test_a_new_leader_runs_every_service_at_once():
    calls = Calls()
    lock = Lock(free=False)
    runner = runner_for(service("late_runs", calls, every=60), lock=lock)
    with time_machine.travel(T0, tick=False):
        assert not runner.take_lead()
        lock.free = True
        assert runner.take_lead()
        runner.tick()
    assert calls.times == [T0]


def test_stop_lets_the_current_pass_finish_then_releases_the_lock():
    lock = Lock()
    calls = Calls(changes=1)
    after = Calls()
    runner = runner_for(service("first", calls), service("second", after), lock=lock)
    calls.during = runner.stop.set  # SIGTERM arrives during the pass

    runner.run_forever()

    assert len(calls.times) == 1 and after.times == []
    assert ServiceRun.objects.filter(service="first").exists()  # the pass was recorded
    assert lock.released == 1 and not lock.ours


def test_the_runner_stops_when_the_process_that_started_it_is_gone():
    lock = Lock()
    calls = Calls()
    runner = runner_for(service("late_runs", calls), lock=lock, parent_pid=-1)

    runner.run_forever()

    assert calls.times == [] and lock.released == 1


def test_passes_that_changed_something_log_info_and_quiet_ones_debug(caplog):
    runner = runner_for(service("busy", Calls(changes=2)), service("quiet", Calls()))
    with caplog.at_level(logging.DEBUG, logger="background.runner"):
        runner.take_lead()
        runner.tick()
    passes = [r for r in caplog.records if "examined" in r.getMessage()]
    lines = {r.getMessage().split(":")[0]: r.levelno for r in passes}
    assert lines == {"Service busy": logging.INFO, "Service quiet": logging.DEBUG}
    busy = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("Service busy"))
    assert "examined 4, changed 2, failed 0 in" in busy and busy.endswith(" ms")


def _history(service_name: str, started: datetime) -> ServiceRun:
    return ServiceRun.objects.create(
        service=service_name, started=started, duration_ms=1, changed=1
    )


def test_history_older_than_a_week_is_pruned():
    old = _history("late_runs", T0 - timedelta(days=8))
    recent = _history("late_runs", T0 - timedelta(days=6))

    assert service_runs_prune(now=T0) == 1

    assert list(ServiceRun.objects.values_list("id", flat=True)) == [recent.id]
    assert not ServiceRun.objects.filter(id=old.id).exists()


def test_history_beyond_the_row_cap_is_pruned_oldest_first():
    rows = [_history("late_runs", T0 - timedelta(minutes=n)) for n in range(5)]

    assert service_runs_prune(now=T0, max_rows=3) == 2

    kept = set(ServiceRun.objects.values_list("id", flat=True))
    assert kept == {row.id for row in rows[2:]}


def test_a_database_outage_in_a_pass_is_one_line_not_a_traceback(caplog):
    import psycopg
    from django.db import OperationalError

    def outage() -> None:
        message = "connection failed: refused\nIs the server running?"
        try:
            raise psycopg.OperationalError(message)  # from the client library: no SQLSTATE
        except psycopg.OperationalError as cause:
            raise OperationalError(message) from cause

    down = Calls(during=outage)
    runner = runner_for(service("late_runs", down))
    with caplog.at_level(logging.WARNING, logger="background.runner"):
        runner.take_lead()
        runner.tick()

    failure = ServiceRun.objects.get(service="late_runs")
    assert failure.error == "Database unavailable: connection failed: refused"
    assert "Traceback" not in caplog.text and "connection failed: refused" in caplog.text
