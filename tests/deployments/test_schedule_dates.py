"""Schedule shapes and the dates they produce (spec/deployments.md §12.1, §12.3); no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from deployments.schedules.dates import dates_to_schedule
from deployments.schedules.shapes import CronSchedule, IntervalSchedule, RRuleSchedule

SHAPE: TypeAdapter[Any] = TypeAdapter(IntervalSchedule | CronSchedule | RRuleSchedule)
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def normalised(body: dict[str, Any]) -> dict[str, Any]:
    return SHAPE.validate_python(body).normalised()


def dates(body: dict[str, Any], now: datetime = NOW) -> list[datetime]:
    return dates_to_schedule(
        normalised(body),
        start=now,
        end=now + timedelta(days=100),
        now=now,
        min_runs=3,
        max_runs=100,
        min_time=timedelta(hours=1),
    )


def test_interval_is_normalised_with_a_utc_timezone() -> None:
    assert normalised({"interval": "PT2H", "anchor_date": "2026-01-01T00:00:00"}) == {
        "interval": 7200.0, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"
    }  # fmt: skip
    kept = normalised({"interval": 60, "anchor_date": "2026-01-01T00:00:00+02:00"})
    assert (kept["anchor_date"], kept["timezone"]) == ("2026-01-01T00:00:00+02:00", "UTC")


def test_rrule_gets_prefects_dtstart() -> None:
    assert normalised({"rrule": "FREQ=WEEKLY;BYDAY=MO"}) == {
        "rrule": "DTSTART:20200101T000000\nFREQ=WEEKLY;BYDAY=MO", "timezone": "UTC"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"interval": 0}, "interval must be positive"),
        ({"interval": 5, "timezone": "Mars/Base"}, 'Invalid timezone: "Mars/Base"'),
        ({"cron": "not cron"}, 'Invalid cron string: "not cron"'),
        ({"cron": "H * * * *"}, "Invalid cron string"),
        ({"cron": "0 9 * * * R"}, "Random and Hashed expressions are unsupported"),
        ({"rrule": "FREQ=NOPE"}, 'Invalid RRule string "FREQ=NOPE"'),
        ({"interval": 5, "bogus": 1}, "Extra inputs are not permitted"),
    ],
)
def test_bad_schedules_are_refused(body: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        SHAPE.validate_python(body)
    assert message in str(raised.value)


def test_hourly_gives_three_runs_from_now() -> None:
    found = dates({"interval": 3600, "anchor_date": "2026-01-01T00:00:00Z"})
    assert [d.isoformat() for d in found] == [
        "2026-12-06T03:00:00+00:00", "2026-12-06T04:00:00+00:00", "2026-12-06T05:00:00+00:00"
    ]  # fmt: skip


def test_every_five_minutes_covers_the_next_hour() -> None:
    found = dates({"interval": 300, "anchor_date": "2026-01-01T00:00:00Z"})
    assert len(found) == 13 and found[-1] == NOW + timedelta(hours=1)


def test_daily_interval_keeps_local_time_across_dst() -> None:
    body = {"interval": 86400, "anchor_date": "2026-03-07T14:00:00Z",
            "timezone": "America/New_York"}  # fmt: skip
    found = dates(body, now=datetime(2026, 3, 7, 12, tzinfo=UTC))
    assert [d.strftime("%H:%M %z") for d in found] == ["09:00 -0500", "09:00 -0400", "09:00 -0400"]


def test_cron_is_evaluated_in_its_timezone() -> None:
    # NOW is 22:00 in New York: the first date is NOW itself (inclusive), in local time.
    found = dates({"cron": "0 22 * * *", "timezone": "America/New_York"})
    assert [str(d) for d in found[:2]] == ["2026-12-05 22:00:00-05:00", "2026-12-06 22:00:00-05:00"]


def test_cron_day_or_false_needs_both_day_fields() -> None:
    # an 11th that is a Monday: 2027-01-11; with day_or (the default), any Monday or 11th
    assert dates({"cron": "0 0 11 * 1", "day_or": False})[0].date().isoformat() == "2027-01-11"
    assert dates({"cron": "0 0 11 * 1"})[0].date().isoformat() == "2026-12-07"


def test_rrule_in_a_timezone() -> None:
    found = dates({"rrule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9", "timezone": "Europe/Paris"})
    assert str(found[0]) == "2026-12-07 09:00:00+01:00"


def test_max_runs_caps_and_end_bounds() -> None:
    capped = dates_to_schedule(
        normalised({"interval": 1, "anchor_date": "2026-01-01T00:00:00Z"}),
        start=NOW, end=NOW + timedelta(days=1), now=NOW, min_runs=3, max_runs=100,
        min_time=timedelta(hours=1),
    )  # fmt: skip
    assert len(capped) == 100
    bounded = dates_to_schedule(
        normalised({"interval": 86400 * 30, "anchor_date": "2026-01-01T00:00:00Z"}),
        start=NOW, end=NOW + timedelta(days=60), now=NOW, min_runs=3, max_runs=100,
        min_time=timedelta(hours=1),
    )  # fmt: skip
    assert len(bounded) == 2
