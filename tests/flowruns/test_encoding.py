"""`dt`: the wire form of a datetime, with the fast path for UTC and naive values giving what
the general path gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from flowruns.encoding import dt
from tests.flowruns.api.serializers.reference import dt as old_dt

CASES = [
    datetime(2021, 7, 1, tzinfo=UTC),
    datetime(2021, 7, 1, 0, 0, 0, 500000, tzinfo=UTC),
    datetime(2021, 7, 1, 0, 0, 0, 1, tzinfo=ZoneInfo("UTC")),
    datetime(2021, 1, 1, 12, tzinfo=ZoneInfo("Europe/London")),  # zero offset, not UTC
    datetime(2021, 7, 1, 12, tzinfo=ZoneInfo("Europe/London")),  # +01:00
    datetime(2021, 7, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(2021, 7, 1, tzinfo=timezone(timedelta(seconds=30))),
    datetime(2021, 7, 1, 1, 2, 3),
    datetime(1, 1, 1, tzinfo=UTC),
]


@pytest.mark.parametrize("value", CASES, ids=str)
def test_same_text_as_the_general_path(value):
    assert dt(value) == old_dt(value)


def test_examples():
    assert dt(datetime(2021, 7, 1, tzinfo=UTC)) == "2021-07-01T00:00:00Z"
    assert dt(datetime(2021, 7, 1, 12, tzinfo=ZoneInfo("Europe/London"))) == "2021-07-01T11:00:00Z"
    assert dt(datetime(2021, 7, 1, 1, 2, 3, 4)) == "2021-07-01T01:02:03.000004Z"
    assert dt(None) is None
