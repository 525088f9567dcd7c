"""The retention commands' shared arguments: ages, dates, batch sizes and the cutoff."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from flowruns.management.arguments import (
    argument_type,
    cutoff,
    parse_age,
    parse_batch_size,
    parse_datetime,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("12H", timedelta(hours=12)),
        (" 30d ", timedelta(days=30)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_ages_are_a_whole_number_and_a_unit(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["30", "d", "0d", "-1d", "1.5d", "30 days", "3y"])
def test_other_ages_are_refused_with_an_example(text):
    with pytest.raises(ValueError, match=r"Invalid age .*e\.g\. 30d"):
        parse_age(text)


def test_dates_are_read_as_the_api_reads_them():
    assert parse_datetime("2024-05-01") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_datetime("2024-05-01T12:00:00+02:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="Invalid date 'yesterday'"):
        parse_datetime("yesterday")


def test_batch_sizes_are_positive_whole_numbers():
    assert parse_batch_size("500") == 500
    for text in ["0", "-5", "ten"]:
        with pytest.raises(ValueError, match="at least 1"):
            parse_batch_size(text)


def test_an_argument_type_reports_the_parsers_message():
    with pytest.raises(ArgumentTypeError, match="Invalid age 'soon'"):
        argument_type(parse_age)("soon")


def test_the_cutoff_is_the_earlier_of_age_and_date():
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    assert cutoff({"older_than": timedelta(days=1), "before": long_ago}) == long_ago
    recent = cutoff({"older_than": timedelta(days=1), "before": timezone.now()})
    assert recent is not None
    assert abs(recent - (timezone.now() - timedelta(days=1))) < timedelta(minutes=1)
    assert cutoff({"older_than": None, "before": None}) is None
