"""`make serve` runs `manage.py run_services` beside gunicorn (config/gunicorn.conf.py hooks).

gunicorn's `when_ready` starts it, `on_exit` stops it (SIGTERM: it finishes its pass and
releases the lock; SIGKILL after `STOP_TIMEOUT`). It runs in its own session, so a Ctrl-C in the
terminal reaches gunicorn only and the shutdown order stays: web server first, then services.
It is told gunicorn's pid (`--parent-pid`) and exits by itself within a second when gunicorn
dies without running its hooks (SIGKILL).

A crash of the services process never takes the web server down: it is logged as an error and
restarted after 1 s, then 2, 4, ... up to 60 s while it keeps crashing (back to 1 s once it has
run for a minute). gunicorn's master reaps every child itself, so the exit status seen here may
be lost (reported as 0).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STOP_TIMEOUT = 25.0  # seconds: under gunicorn's graceful_timeout, so `stop` ends in time
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
STABLE_AFTER = 60.0

logger = logging.getLogger("gunicorn.error")


def services_command(parent_pid: int) -> list[str]:
    return [
        sys.executable,
        str(REPO / "manage.py"),
        "run_services",
        "--parent-pid",
        str(parent_pid),
    ]


class ServicesProcess:
    def __init__(
        self,
        command: Sequence[str],
        *,
        backoff_first: float = BACKOFF_FIRST,
        backoff_max: float = BACKOFF_MAX,
        stable_after: float = STABLE_AFTER,
        stop_timeout: float = STOP_TIMEOUT,
        log: Any = logger,
    ) -> None:
        self.command = list(command)
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.stop_timeout = stop_timeout
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="run_services", daemon=True)
        self._watcher.start()

    def _spawn(self) -> bool:
        with self._lock:
            if self._stopping.is_set():
                return False
            self.process = subprocess.Popen(self.command, cwd=REPO, start_new_session=True)
            self.log.info("Started run_services (pid %s)", self.process.pid)
            return True

    def _watch(self) -> None:
        backoff = self.backoff_first
        while True:
            process = self.process
            assert process is not None
            began = time.monotonic()
            status = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - began >= self.stable_after:
                backoff = self.backoff_first
            self.log.error(
                "run_services (pid %s) exited with status %s; restarting it in %g s",
                process.pid,
                status,
                backoff,
            )
            if self._stopping.wait(backoff) or not self._spawn():
                return
            self.restarts += 1
            backoff = min(backoff * 2, self.backoff_max)

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            self.log.info("Stopping run_services (pid %s)", process.pid)
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.log.error("run_services did not stop in %g s: killed", self.stop_timeout)
                process.kill()
                process.wait()
        if self._watcher is not None:
            self._watcher.join(timeout=5)


_running: ServicesProcess | None = None


def services_start(*, enabled: bool) -> ServicesProcess | None:
    """gunicorn's `when_ready`: start the services process once, unless turned off."""
    global _running
    if not enabled:
        logger.info("SERVE_WITH_SERVICES=false: not starting run_services")
        return None
    if _running is None:
        _running = ServicesProcess(services_command(os.getpid()))
        _running.start()
    return _running


def services_stop() -> None:
    """gunicorn's `on_exit`."""
    global _running
    running, _running = _running, None
    if running is not None:
        running.stop()
