"""The `schedule` object of a deployment schedule: interval, cron or rrule. Each shape forbids
unknown keys, so the keys a body sends select the kind (spec/deployments.md §12.1). The stored
and returned value is `normalised(...)` of the validated model."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from croniter import croniter
from dateutil.rrule import rrulestr
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_RRULE_LENGTH = 6500
# A floating DTSTART injected into a rule that has none (Prefect's choice).
DEFAULT_DTSTART = "DTSTART:20200101T000000"
_EPOCH_2020 = datetime(2020, 1, 1)


def _check_timezone(value: str | None) -> str | None:
    if value is not None and value not in _zones():
        raise ValueError(
            f'Invalid timezone: "{value}" (specify in IANA tzdata format, for example, '
            "America/New_York)"
        )
    return value


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def _utc_if_naive(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class IntervalSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval: timedelta
    anchor_date: datetime = Field(default_factory=lambda: datetime.now(UTC))
    timezone: str | None = None

    @field_validator("interval")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("interval must be positive")
        return value

    _tz = field_validator("timezone")(_check_timezone)

    @model_validator(mode="after")
    def _anchor_and_zone(self) -> IntervalSchedule:
        self.anchor_date = _utc_if_naive(self.anchor_date)
        if self.timezone is None:
            zone = self.anchor_date.tzinfo
            self.timezone = zone.key if isinstance(zone, ZoneInfo) else "UTC"
        return self

    def normalised(self) -> dict[str, Any]:
        return {
            "interval": self.interval.total_seconds(),
            "anchor_date": render_datetime(self.anchor_date),
            "timezone": self.timezone,
        }


class CronSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cron: str
    timezone: str | None = None
    day_or: bool = True

    _tz = field_validator("timezone")(_check_timezone)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(f'Invalid cron string: "{value}"')
        # croniter's random (R) and hashed (H) fields are not supported.
        if any(field.upper() in ("R", "H") for field in value.split()):
            raise ValueError(f'Random and Hashed expressions are unsupported, received: "{value}"')
        return value

    def normalised(self) -> dict[str, Any]:
        return {"cron": self.cron, "timezone": self.timezone, "day_or": self.day_or}


class RRuleSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rrule: Annotated[str, Field(max_length=MAX_RRULE_LENGTH)]
    timezone: str | None = "UTC"

    _tz = field_validator("timezone")(_check_timezone)

    @field_validator("rrule")
    @classmethod
    def _valid_rrule(cls, value: str) -> str:
        try:
            rrulestr(value, cache=False)
        except Exception as exc:  # dateutil raises ValueError, TypeError, IndexError...
            raise ValueError(f'Invalid RRule string "{value}": {exc}') from exc
        if "DTSTART" not in value.upper():
            value = f"{_dtstart_for(value)}\n{value}"
        return value

    def normalised(self) -> dict[str, Any]:
        return {"rrule": self.rrule, "timezone": self.timezone}


def _dtstart_for(rule: str) -> str:
    """2020-01-01 00:00 (floating) for most rules; for a SECONDLY/MINUTELY rule without COUNT,
    the latest phase-equivalent instant not after now, so that generating dates from now does
    not walk every minute since 2020."""
    upper = rule.upper()
    step = {"FREQ=SECONDLY": 1, "FREQ=MINUTELY": 60}.get(
        next((f for f in ("FREQ=SECONDLY", "FREQ=MINUTELY") if f in upper), ""), 0
    )
    if not step or "COUNT=" in upper:
        return DEFAULT_DTSTART
    found = re.search(r"INTERVAL=(\d+)", upper)
    period = step * (int(found.group(1)) if found else 1)
    now = datetime.now(UTC).replace(tzinfo=None)
    elapsed = int((now - _EPOCH_2020).total_seconds())
    anchor = _EPOCH_2020 + timedelta(seconds=elapsed - elapsed % period)
    return f"DTSTART:{anchor:%Y%m%dT%H%M%S}"


SHAPES: tuple[type[BaseModel], ...] = (IntervalSchedule, CronSchedule, RRuleSchedule)


def render_datetime(value: datetime) -> str:
    """`…Z` for UTC, the explicit offset otherwise (an anchor keeps the offset it was sent
    with)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def schedule_kind(schedule: dict[str, Any]) -> str:
    """`IntervalSchedule`, `CronSchedule` or `RRuleSchedule` for a stored schedule."""
    if "interval" in schedule:
        return "IntervalSchedule"
    if "cron" in schedule:
        return "CronSchedule"
    return "RRuleSchedule"
