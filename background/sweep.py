"""What a service is and what one pass of it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class SweepResult:
    """One pass of one service: how many candidates it looked at, how many it changed, and a
    short line per change or failure for the admin (bounded by the service)."""

    examined: int = 0
    changed: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, line: str, *, limit: int = 50) -> None:
        if len(self.notes) < limit:
            self.notes.append(line)


@dataclass(frozen=True)
class Service:
    """A periodic sweep: `run(now)` does one bounded pass and reports it."""

    name: str  # stable key: admin rows, --service, logs (`late_runs`)
    interval: timedelta
    enabled: bool
    run: Callable[[datetime], SweepResult]
