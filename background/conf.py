"""The Prefect settings the background services honour (spec/services.md §9), read through
`config.prefect_settings` (Django setting, then the variable, then its aliases, then Prefect's
default).

Each service keeps its own settings beside its code, in a function decorated with
`settings_cache`: parsed once, forgotten by `reset()` (wired to `setting_changed`, so
`override_settings` and pytest-django's `settings` fixture take effect). The names and defaults
are Prefect's where Prefect has the setting, ours (documented in the README) where it has none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, TypeVar

from config.prefect_settings import parse_seconds, setting_read

T = TypeVar("T")

_caches: list[Any] = []


def settings_cache(read: Callable[[], T]) -> Callable[[], T]:
    """Cache a settings reader until the next `reset()`."""
    cached = cache(read)
    _caches.append(cached)
    return cached


def reset(**kwargs: Any) -> None:
    for cached in _caches:
        cached.cache_clear()


@dataclass(frozen=True)
class RunnerSettings:
    # Ours: how often a standby `run_services` retries to become the active one.
    leader_retry: timedelta


@settings_cache
def runner_settings() -> RunnerSettings:
    return RunnerSettings(
        leader_retry=setting_read(
            "SERVICES_LEADER_RETRY_SECONDS", timedelta(seconds=5), parse_seconds
        ),
    )
