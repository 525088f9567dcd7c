"""Real `run_services` processes over one database: one works, the others stand by, and one of
them takes over when the active one is killed (SIGKILL: no clean-up runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
RETRY_SECONDS = 1.0
START_TIMEOUT = 60.0  # Django's start-up on a loaded machine


@dataclass
class Fleet:
    """`run_services` processes with the counting fake service, on one database."""

    tmp_path: Path
    database_url: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def counted(self) -> Path:
        return self.tmp_path / "counted"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=self.database_url,
            SERVICES_LEADER_RETRY_SECONDS=str(RETRY_SECONDS),
            FAKE_SERVICE_FILE=str(self.counted),
            FAKE_SERVICE_SECONDS="0.1",
            LOG_LEVEL="INFO",
        )
        return env

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp_path / f"services-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.background.run_fake_services", *args],
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        index = self.processes.index(process)
        return (self.tmp_path / f"services-{index}.log").read_text(errors="replace")

    def pids(self) -> list[int]:
        if not self.counted.exists():
            return []
        return [int(line) for line in self.counted.read_text().split()]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def postgres_url() -> str:
    settings = connection.settings_dict
    auth = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        auth += ":" + quote(settings["PASSWORD"], safe="")
    return f"postgres://{auth}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@pytest.fixture
def sqlite_fleet(tmp_path: Path) -> Iterator[Fleet]:
    fleet = Fleet(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "background", "--noinput"],
        cwd=REPO,
        env=fleet.env(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    yield fleet
    fleet.stop_all()


@pytest.fixture
def postgres_fleet(tmp_path: Path, transactional_db: None) -> Iterator[Fleet]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    fleet = Fleet(tmp_path, postgres_url())
    yield fleet
    fleet.stop_all()


def only_one_works_and_another_takes_over_when_it_is_killed(fleet: Fleet) -> None:
    active = fleet.start()
    wait_for(lambda: active.pid in fleet.pids(), START_TIMEOUT, "the first process to work")
    standby = fleet.start()
    wait_for(lambda: "standing by" in fleet.log(standby), START_TIMEOUT, "the standby")
    time.sleep(1.0)  # ten intervals of the fake service
    assert set(fleet.pids()) == {active.pid}

    active.send_signal(signal.SIGKILL)
    active.wait(timeout=10)
    took = wait_for(lambda: standby.pid in fleet.pids(), 10, "the standby to take over")

    assert took < RETRY_SECONDS + 2.5  # one retry interval, plus a pass on a busy machine
    counted = fleet.pids()
    assert set(counted[counted.index(standby.pid) :]) == {standby.pid}

    standby.send_signal(signal.SIGTERM)
    assert standby.wait(timeout=20) == 0
    assert "Active run_services" in fleet.log(standby)


def test_sqlite_runs_one_process_and_a_waiting_one_takes_over(sqlite_fleet):
    only_one_works_and_another_takes_over_when_it_is_killed(sqlite_fleet)


@pytest.mark.postgres
def test_postgres_elects_one_process_and_another_takes_over_within_a_retry(postgres_fleet):
    only_one_works_and_another_takes_over_when_it_is_killed(postgres_fleet)

    from background.models import ServiceState

    state = ServiceState.objects.get(name="counting")
    assert state.pid == postgres_fleet.processes[1].pid and state.last_changed == 1


@pytest.mark.postgres
def test_a_process_whose_lock_connection_is_lost_stops_working_until_it_wins_it_back(
    postgres_fleet,
):
    import psycopg

    from background.leader import LEADER_LOCK_KEY, postgres_connect_params

    active = postgres_fleet.start()
    wait_for(lambda: active.pid in postgres_fleet.pids(), START_TIMEOUT, "the active process")
    with psycopg.connect(**postgres_connect_params(), autocommit=True) as other:
        ended = other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [f"run_services[{active.pid}]"],
        ).fetchall()
        assert ended == [(True,)]
        # Another process holds the lock now (this test's session).
        wait_for(
            lambda: (
                other.execute("SELECT pg_try_advisory_lock(%s)", [LEADER_LOCK_KEY]).fetchone()
                == (True,)
            ),
            5,
            "the lock to be free",
        )
        time.sleep(0.5)  # a pass already under way may finish
        counted = len(postgres_fleet.pids())
        time.sleep(2.0)
        assert len(postgres_fleet.pids()) == counted  # no work without the lock
        assert "Lost the services lock" in postgres_fleet.log(active)
    # This session ended: the lock is free again, and the process takes it back.
    wait_for(lambda: len(postgres_fleet.pids()) > counted, RETRY_SECONDS + 5, "the work to resume")


@pytest.mark.postgres
def test_once_while_another_process_is_active_does_nothing_and_exits_0(postgres_fleet):
    active = postgres_fleet.start()
    wait_for(lambda: active.pid in postgres_fleet.pids(), START_TIMEOUT, "the active process")
    once = postgres_fleet.start("--once")

    assert once.wait(timeout=START_TIMEOUT) == 0
    assert "Another run_services is active; nothing done." in postgres_fleet.log(once)
    assert once.pid not in postgres_fleet.pids()


def test_once_runs_then_exits_0_and_sigterm_stops_a_running_one_cleanly(sqlite_fleet):
    once = sqlite_fleet.start("--once")
    assert once.wait(timeout=START_TIMEOUT) == 0
    assert sqlite_fleet.pids() == [once.pid]

    running = sqlite_fleet.start()
    wait_for(lambda: running.pid in sqlite_fleet.pids(), START_TIMEOUT, "the process to work")
    running.send_signal(signal.SIGTERM)
    assert running.wait(timeout=20) == 0
    # The lock went with it: the next process works at once.
    again = sqlite_fleet.start("--once")
    assert again.wait(timeout=START_TIMEOUT) == 0
    assert again.pid in sqlite_fleet.pids()
