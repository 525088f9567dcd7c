"""Settings of the retention services (Prefect's database vacuum, spec/services.md §7.4).

`PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED` is a comma-separated set of `events`, `flow_runs`
and `orphans`: `true` means all three, `false` means `events` (as in Prefect), and `flow_runs`
implies `orphans` (here: a run's logs go with it, `flowruns.services.flow_runs_delete`). The
events part also needs the event persister (`PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED`);
its retention period and batch size are the event store's (`events.conf`). Logs have no Prefect
setting: ours, `LOGS_RETENTION_DAYS`, unset means logs are kept (they still go with their runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from background.conf import settings_cache
from config.prefect_settings import parse_bool, parse_positive_int, parse_seconds, setting_read

VACUUM_KINDS = ("events", "flow_runs", "orphans")


def parse_vacuum_kinds(raw: str) -> frozenset[str]:
    text = raw.strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return frozenset(VACUUM_KINDS)
    if text in {"false", "0", "no", "off"}:
        return frozenset({"events"})
    kinds = {part.strip() for part in text.split(",") if part.strip()}
    unknown = kinds - set(VACUUM_KINDS)
    if unknown or not kinds:
        raise ValueError(
            "must be true, false or a comma-separated set of events, flow_runs, orphans"
        )
    if "flow_runs" in kinds:
        kinds.add("orphans")
    return frozenset(kinds)


def _more_than_an_hour(raw: str) -> timedelta:
    value = parse_seconds(raw)
    if value <= timedelta(hours=1):
        raise ValueError("must be more than 3600 seconds")
    return value


def _days(raw: str) -> timedelta:
    return timedelta(days=parse_positive_int(raw))


@dataclass(frozen=True)
class VacuumSettings:
    kinds: frozenset[str]
    event_persister: bool
    loop: timedelta
    flow_run_retention: timedelta
    batch_size: int
    log_retention: timedelta | None


@settings_cache
def vacuum_settings() -> VacuumSettings:
    prefix = "PREFECT_SERVER_SERVICES_DB_VACUUM"
    return VacuumSettings(
        kinds=setting_read(f"{prefix}_ENABLED", frozenset({"events"}), parse_vacuum_kinds),
        event_persister=setting_read(
            "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED",
            True,
            parse_bool,
            "PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED",
        ),
        loop=setting_read(f"{prefix}_LOOP_SECONDS", timedelta(hours=1), parse_seconds),
        flow_run_retention=setting_read(
            f"{prefix}_RETENTION_PERIOD", timedelta(days=90), _more_than_an_hour
        ),
        batch_size=setting_read(f"{prefix}_BATCH_SIZE", 200, parse_positive_int),
        log_retention=setting_read("LOGS_RETENTION_DAYS", None, _days),
    )
