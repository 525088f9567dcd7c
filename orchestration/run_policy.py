"""A run's `empirical_policy`: retry settings plus the pause/resume bookkeeping.

Immutable on purpose: a rule that changes the policy returns a whole new value
(`dataclasses.replace`), which is also what the ORM needs to notice that a JSON column
changed (orchestration.md §1.5). `from_json`/`as_json` translate to and from the stored
JSON, applying the deprecated-field mirrors of api.md §3.5 on the way in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

RetryType = Literal["in_process", "reschedule"]


def _retries(raw: Mapping[str, Any]) -> tuple[int, Any, float]:
    """`(max_retries, retries, retry_delay_seconds)` as stored, `retries` mirrored from the
    deprecated `max_retries` when empty (api.md §3.5)."""
    max_retries = raw.get("max_retries") or 0
    retries = raw.get("retries")
    if not retries and max_retries != 0:
        retries = max_retries
    return max_retries, retries, raw.get("retry_delay_seconds") or 0


def _integral(value: Any) -> int | None:
    """`value` as an int if it is a whole number, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else None


@dataclass(frozen=True, kw_only=True)
class FlowRunPolicy:
    """A flow run's retry settings and pause/resume bookkeeping."""

    max_retries: int = 0
    retry_delay_seconds: float = 0
    retries: int | None = None
    retry_delay: int | None = None
    pause_keys: tuple[str, ...] = ()
    resuming: bool | None = False
    retry_type: RetryType | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> FlowRunPolicy:
        """Read the stored JSON. Unknown keys are ignored; `max_retries` and
        `retry_delay_seconds` fill `retries`/`retry_delay` when those are empty."""
        raw = raw or {}
        max_retries, retries, retry_delay_seconds = _retries(raw)
        retry_delay = raw.get("retry_delay")
        if not retry_delay and retry_delay_seconds != 0:
            # A fractional value would be a 422 at the API; only whole seconds are mirrored.
            retry_delay = _integral(retry_delay_seconds) or retry_delay
        return cls(
            max_retries=max_retries,
            retry_delay_seconds=retry_delay_seconds,
            retries=retries,
            retry_delay=retry_delay,
            pause_keys=tuple(dict.fromkeys(raw.get("pause_keys") or ())),
            resuming=raw.get("resuming", False),
            retry_type=raw.get("retry_type"),
        )

    def as_json(self) -> dict[str, Any]:
        """The stored JSON shape, keys in api.md §3.5 order."""
        return {
            "max_retries": self.max_retries,
            "retry_delay_seconds": self.retry_delay_seconds,
            "retries": self.retries,
            "retry_delay": self.retry_delay,
            "pause_keys": list(self.pause_keys),
            "resuming": self.resuming,
            "retry_type": self.retry_type,
        }

    def with_pause_key(self, key: str) -> FlowRunPolicy:
        """A copy that also records `key` as fired (pause keys behave as a set)."""
        if key in self.pause_keys:
            return self
        return dataclasses.replace(self, pause_keys=(*self.pause_keys, key))


@dataclass(frozen=True, kw_only=True)
class TaskRunPolicy:
    """A task run's retry settings. `retry_delay` may be one delay or one per attempt."""

    max_retries: int = 0
    retry_delay_seconds: float = 0
    retries: int | None = None
    retry_delay: float | tuple[float, ...] | None = None
    retry_jitter_factor: float | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> TaskRunPolicy:
        raw = raw or {}
        max_retries, retries, retry_delay_seconds = _retries(raw)
        retry_delay: Any = raw.get("retry_delay")
        if not retry_delay and retry_delay_seconds != 0:
            retry_delay = retry_delay_seconds
        if isinstance(retry_delay, Sequence) and not isinstance(retry_delay, str):
            retry_delay = tuple(retry_delay)
        return cls(
            max_retries=max_retries,
            retry_delay_seconds=retry_delay_seconds,
            retries=retries,
            retry_delay=retry_delay,
            retry_jitter_factor=raw.get("retry_jitter_factor"),
        )

    def as_json(self) -> dict[str, Any]:
        delay = self.retry_delay
        return {
            "max_retries": self.max_retries,
            "retry_delay_seconds": self.retry_delay_seconds,
            "retries": self.retries,
            "retry_delay": list(delay) if isinstance(delay, tuple) else delay,
            "retry_jitter_factor": self.retry_jitter_factor,
        }

    def delay_for_attempt(self, run_count: int) -> float:
        """Seconds to wait before retrying after attempt `run_count` (1-based)."""
        if isinstance(self.retry_delay, tuple):
            if not self.retry_delay:
                return 0
            return self.retry_delay[min(max(run_count - 1, 0), len(self.retry_delay) - 1)]
        return self.retry_delay or 0
