"""`make serve`'s gunicorn hooks start `run_services` beside the web server and stop it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

from config import services_process
from config.services_process import REPO, ServicesProcess, services_command

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): count it as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[-1][0] != "Z"


def test_the_hooks_start_the_services_process_and_stop_it_on_exit(monkeypatch):
    monkeypatch.setattr(services_process, "services_command", lambda parent_pid: SLEEPER)
    running = services_process.services_start(enabled=True)
    try:
        assert running is not None and running.process is not None
        pid = running.process.pid
        assert alive(pid)
        # A second `when_ready` (gunicorn re-reads its config on HUP) does not start another.
        assert services_process.services_start(enabled=True) is running
    finally:
        services_process.services_stop()
    assert not alive(pid)
    assert running.process.returncode is not None


def test_serve_with_services_false_starts_nothing(caplog):
    with caplog.at_level(logging.INFO, logger="gunicorn.error"):
        assert services_process.services_start(enabled=False) is None
    assert "SERVE_WITH_SERVICES=false" in caplog.text
    services_process.services_stop()  # on_exit with nothing started is harmless


def test_a_crashing_services_process_is_restarted_with_growing_delays(caplog):
    crashing = ServicesProcess(
        [sys.executable, "-c", "raise SystemExit(3)"], backoff_first=0.1, backoff_max=0.4
    )
    with caplog.at_level(logging.ERROR, logger="gunicorn.error"):
        crashing.start()
        deadline = time.monotonic() + 30
        while crashing.restarts < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        crashing.stop()
    assert crashing.restarts >= 3
    restarts = [line for line in caplog.messages if "restarting" in line]
    delays = [line.split("restarting it in ")[1] for line in restarts]
    assert delays[:3] == ["0.1 s", "0.2 s", "0.4 s"]


def test_stop_kills_a_services_process_that_ignores_sigterm():
    stubborn = ServicesProcess(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stop_timeout=1,
    )
    stubborn.start()
    time.sleep(0.5)
    started = time.monotonic()
    stubborn.stop()
    assert time.monotonic() - started < 10
    assert stubborn.process is not None and stubborn.process.returncode is not None


def test_the_services_command_is_run_services_watching_its_parent():
    command = services_command(1234)
    assert command[1:] == [str(REPO / "manage.py"), "run_services", "--parent-pid", "1234"]


def test_run_services_exits_by_itself_when_the_server_that_started_it_is_gone(tmp_path):
    """gunicorn killed with SIGKILL runs no hook: the services process must not outlive it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DJANGO_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SECRET_KEY="x" * 50)
    # Its real parent is this test, not pid 1: the parent it was told about is "gone".
    done = subprocess.run(
        [*services_command(1)[:-1], "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "The process that started run_services is gone: stopping" in done.stderr


def gunicorn_config(monkeypatch, **env: str) -> dict:
    import runpy

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(REPO / "config" / "gunicorn.conf.py"))


def test_gunicorn_hooks_start_run_services_with_the_environment_passed_through(
    monkeypatch, tmp_path
):
    seen = tmp_path / "seen"
    probe = [
        sys.executable,
        "-c",
        "import os, sys, time; name = 'PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS'; "
        "open(sys.argv[1], 'w').write(os.environ[name]); time.sleep(60)",
        str(seen),
    ]
    monkeypatch.setattr(services_process, "services_command", lambda parent_pid: probe)
    config = gunicorn_config(monkeypatch, PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS="42")
    config["when_ready"](None)
    try:
        deadline = time.monotonic() + 30
        while not (seen.exists() and seen.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen.read_text() == "42"
    finally:
        config["on_exit"](None)
    assert services_process._running is None


def test_gunicorn_hooks_start_nothing_with_serve_with_services_false(monkeypatch):
    started: list[int] = []
    monkeypatch.setattr(services_process, "services_command", lambda pid: started.append(pid))
    config = gunicorn_config(monkeypatch, SERVE_WITH_SERVICES="false")

    config["when_ready"](None)
    config["on_exit"](None)

    assert started == [] and services_process._running is None
