"""The Prefect settings the event store honours (spec/events.md §0, services.md §9).

Each setting is read from, in order: a Django setting of the same name (tests and
`config/settings/*.py` may set one), the environment variable, then its aliases (the primary
name wins when both are set), then Prefect's default. Durations take ISO 8601 (`P7D`,
`PT15M`); a bare number is rejected, as Prefect rejects it. Values are parsed once and cached;
`reset()` (wired to Django's `setting_changed`) forgets them.

`EventsConfig.ready()` reads them at startup, so a bad value stops the server from starting
with a message naming the variable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from config.prefect_settings import parse_bool, parse_positive_int, setting_read

_duration = TypeAdapter(timedelta)


@dataclass(frozen=True)
class EventSettings:
    maximum_size_bytes: int
    maximum_related_resources: int
    maximum_labels_per_resource: int
    maximum_event_name_length: int
    retention_period: timedelta
    maximum_websocket_backfill: timedelta
    websocket_backfill_page_size: int
    stream_out_enabled: bool
    vacuum_batch_size: int
    retention_overrides: dict[str, timedelta]
    # Ours: how many days ahead of today the maintenance command keeps partitions ready.
    partitions_ahead_days: int
    # Ours: how long a task-run event waits for its flow run to appear (spec §6.5).
    pending_task_run_ttl: timedelta


def _seconds_at_least_30(raw: str) -> timedelta:
    value = float(raw)
    if not value >= 30:
        raise ValueError("must be a number of seconds, at least 30")
    return timedelta(seconds=value)


def parse_duration(raw: str) -> timedelta:
    """ISO 8601 (`P7D`, `PT15M`); a bare number of seconds is rejected, as in Prefect."""
    text = raw.strip()
    if text.lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("use an ISO 8601 duration such as P7D or PT15M, not a bare number")
    value = _duration.validate_python(text)
    if value <= timedelta(0):
        raise ValueError("must be positive")
    return value


def _overrides(raw: str) -> dict[str, timedelta]:
    data: Any = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("must be a JSON object of event name to seconds")
    out: dict[str, timedelta] = {}
    for name, seconds in data.items():
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise ValueError(f"the retention of {name!r} must be a positive number of seconds")
        out[str(name)] = timedelta(seconds=seconds)
    return out


@cache
def event_settings() -> EventSettings:
    return EventSettings(
        maximum_size_bytes=setting_read(
            "PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES",
            1_500_000,
            parse_positive_int,
            "PREFECT_EVENTS_MAXIMUM_SIZE_BYTES",
        ),
        maximum_related_resources=setting_read(
            "PREFECT_SERVER_EVENTS_MAXIMUM_RELATED_RESOURCES",
            100,
            parse_positive_int,
            "PREFECT_EVENTS_MAXIMUM_RELATED_RESOURCES",
        ),
        maximum_labels_per_resource=setting_read(
            "PREFECT_SERVER_EVENTS_MAXIMUM_LABELS_PER_RESOURCE",
            500,
            parse_positive_int,
            "PREFECT_EVENTS_MAXIMUM_LABELS_PER_RESOURCE",
        ),
        maximum_event_name_length=setting_read(
            "PREFECT_SERVER_EVENTS_MAXIMUM_EVENT_NAME_LENGTH", 1024, parse_positive_int
        ),
        retention_period=setting_read(
            "PREFECT_SERVER_EVENTS_RETENTION_PERIOD",
            timedelta(days=7),
            parse_duration,
            "PREFECT_EVENTS_RETENTION_PERIOD",
        ),
        maximum_websocket_backfill=setting_read(
            "PREFECT_SERVER_EVENTS_MAXIMUM_WEBSOCKET_BACKFILL",
            timedelta(minutes=15),
            parse_duration,
            "PREFECT_EVENTS_MAXIMUM_WEBSOCKET_BACKFILL",
        ),
        websocket_backfill_page_size=setting_read(
            "PREFECT_SERVER_EVENTS_WEBSOCKET_BACKFILL_PAGE_SIZE",
            250,
            parse_positive_int,
            "PREFECT_EVENTS_WEBSOCKET_BACKFILL_PAGE_SIZE",
        ),
        stream_out_enabled=setting_read(
            "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED",
            True,
            parse_bool,
            "PREFECT_API_EVENTS_STREAM_OUT_ENABLED",
        ),
        vacuum_batch_size=setting_read(
            "PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE", 200, parse_positive_int
        ),
        retention_overrides=setting_read(
            "PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES",
            {"prefect.flow-run.heartbeat": timedelta(seconds=604800)},
            _overrides,
        ),
        partitions_ahead_days=setting_read("EVENTS_PARTITIONS_AHEAD_DAYS", 3, parse_positive_int),
        pending_task_run_ttl=setting_read(
            "EVENTS_PENDING_TASK_RUN_TTL_SECONDS", timedelta(minutes=10), _seconds_at_least_30
        ),
    )


def reset(**kwargs: Any) -> None:
    """Forget the parsed values (connected to `setting_changed`, so `override_settings`
    and pytest-django's `settings` fixture take effect)."""
    event_settings.cache_clear()
