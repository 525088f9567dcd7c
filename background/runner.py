"""The loop of `manage.py run_services`: each enabled service on its own interval, in one
process, while that process is the active one (`background.leader`).

A pass that raises is logged with its traceback and recorded (`background.records`); the loop
goes on. `stop` (set by SIGTERM/SIGINT) ends the loop after the current pass, and leadership is
released on the way out. Before each pass the lock is checked: a process that lost it stops
working at once and stands by. Every wait is cut into short slices so a stop, or the death of
the parent process that started this one (`make serve`), is noticed within a second.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import close_old_connections, connections
from django.utils import timezone

from flowruns.outages import database_unavailable, first_line

from .leader import Leadership
from .records import (
    PassOutcome,
    Process,
    service_pass_record,
    service_runs_prune,
    services_state_sync,
)
from .sweep import Service, SweepResult

logger = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=1)
WAIT_SLICE = 1.0  # seconds


def failure_logged(what: str, exc: Exception) -> str:
    """Log a failure and return what to record: a database outage is one line (as the web
    server logs it; the next pass retries), anything else its traceback."""
    if database_unavailable(exc):
        line = f"Database unavailable: {first_line(exc)}"
        logger.warning("%s: %s", what, line)
        return line
    logger.error("%s", what, exc_info=exc)
    return "".join(traceback.format_exception(exc))


def connections_tidy() -> None:
    """Drop broken or expired database connections between passes (never mid-transaction)."""
    if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        close_old_connections()


@dataclass
class Runner:
    services: list[Service]
    leadership: Leadership
    process: Process
    retry: timedelta
    clock: Callable[[], datetime] = timezone.now
    parent_pid: int | None = None  # stop when this process is no longer our parent
    stop: threading.Event = field(default_factory=threading.Event)
    leading: bool = False
    due: dict[str, datetime] = field(default_factory=dict)
    pruned: datetime | None = None

    @property
    def enabled(self) -> list[Service]:
        return [service for service in self.services if service.enabled]

    def run_pass(self, service: Service) -> PassOutcome:
        started = self.clock()
        began = time.monotonic()
        error = ""
        try:
            result = service.run(started)
        except Exception as exc:
            error = failure_logged(f"Service {service.name}: the pass failed", exc)
            result = SweepResult()
        outcome = PassOutcome(
            service=service.name,
            started=started,
            duration_ms=int((time.monotonic() - began) * 1000),
            result=result,
            error=error,
        )
        level = logging.INFO if result.changed or result.failed else logging.DEBUG
        logger.log(
            level,
            "Service %s: examined %d, changed %d, failed %d in %d ms",
            service.name,
            result.examined,
            result.changed,
            result.failed,
            outcome.duration_ms,
        )
        try:
            service_pass_record(outcome=outcome, process=self.process)
        except Exception as exc:
            failure_logged(f"Service {service.name}: could not record the pass", exc)
        connections_tidy()
        return outcome

    def take_lead(self) -> bool:
        """Become the active process if possible; True when this one is it."""
        if self.leading:
            return True
        if not self.leadership.acquire():
            return False
        self.leading = True
        now = self.clock()
        self.due = {service.name: now for service in self.enabled}
        logger.info(
            "Active run_services (%s pid %d): %s",
            self.process.host,
            self.process.pid,
            ", ".join(sorted(self.due)) or "no services enabled",
        )
        try:
            services_state_sync(services=self.services, process=self.process, now=now)
        except Exception as exc:
            failure_logged("Could not record the services' settings", exc)
        connections_tidy()
        return True

    def still_leading(self) -> bool:
        if self.leading and not self.leadership.held():
            logger.error("Lost the services lock: stopping work and standing by")
            self.leading = False
        return self.leading

    def tick(self) -> float:
        """Run every service that is due; return the seconds until the next one is."""
        for service in self.enabled:
            if self.stop.is_set() or self.clock() < self.due[service.name]:
                continue
            if not self.still_leading():
                return self.retry.total_seconds()  # stand by like any other process
            outcome = self.run_pass(service)
            self.due[service.name] = outcome.started + service.interval
        self.prune_history()
        if not self.due:
            return self.retry.total_seconds()
        return max(0.0, (min(self.due.values()) - self.clock()).total_seconds())

    def prune_history(self) -> None:
        now = self.clock()
        if self.pruned is not None and now - self.pruned < PRUNE_EVERY:
            return
        self.pruned = now
        try:
            service_runs_prune(now=now)
        except Exception as exc:
            failure_logged("Could not prune the services' history", exc)
        connections_tidy()

    def run_forever(self) -> None:
        standing_by = False
        try:
            while not self.should_stop():
                if not self.take_lead():
                    if not standing_by:
                        logger.info(
                            "Another run_services is active: standing by (retry every %ss)",
                            self.retry.total_seconds(),
                        )
                    standing_by = True
                    self.wait(self.retry.total_seconds())
                    continue
                standing_by = False
                self.wait(self.tick())
        finally:
            self.step_down()

    def run_once(self) -> list[PassOutcome] | None:
        """One pass of each enabled service; None when another process is active."""
        if not self.take_lead():
            return None
        try:
            outcomes = []
            for service in self.enabled:
                if self.stop.is_set() or not self.still_leading():
                    break
                outcomes.append(self.run_pass(service))
            return outcomes
        finally:
            self.step_down()

    def step_down(self) -> None:
        self.leading = False
        self.leadership.release()

    def should_stop(self) -> bool:
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            logger.warning("The process that started run_services is gone: stopping")
            self.stop.set()
        return self.stop.is_set()

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.should_stop():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.stop.wait(min(left, WAIT_SLICE))
