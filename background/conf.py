"""The Prefect settings the background services honour (spec/services.md §9), read through
`config.prefect_settings` (Django setting, then the variable, then its aliases, then Prefect's
default). Parsed once and cached; `reset()` (wired to `setting_changed`) forgets them.

Each service adds its own fields here; the names and defaults are Prefect's where Prefect has
the setting, ours (documented in the README) where it has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from config.prefect_settings import parse_seconds, setting_read


@dataclass(frozen=True)
class ServiceSettings:
    # Ours: how often a standby `run_services` retries to become the active one.
    leader_retry: timedelta


@cache
def service_settings() -> ServiceSettings:
    return ServiceSettings(
        leader_retry=setting_read(
            "SERVICES_LEADER_RETRY_SECONDS", timedelta(seconds=5), parse_seconds
        ),
    )


def reset(**kwargs: Any) -> None:
    service_settings.cache_clear()
