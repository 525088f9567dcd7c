"""Fake services for the runner's tests (the real sweeps are tested on their own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from background.sweep import Service, SweepResult


@dataclass
class Calls:
    """A service's `run` that remembers when it was called and reports `changes` changes."""

    changes: int = 0
    error: Exception | None = None
    times: list[datetime] = field(default_factory=list)
    during: Callable[[], None] | None = None

    def __call__(self, now: datetime) -> SweepResult:
        self.times.append(now)
        if self.during is not None:
            self.during()
        if self.error is not None:
            raise self.error
        result = SweepResult(examined=self.changes + 2, changed=self.changes)
        for number in range(self.changes):
            result.note(f"changed run {number}")
        return result


def service(name: str, run: Calls, *, every: float = 5, enabled: bool = True) -> Service:
    return Service(name=name, interval=timedelta(seconds=every), enabled=enabled, run=run)
