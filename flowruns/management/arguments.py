"""Command-line arguments the retention commands (`delete_flow_runs`, `delete_logs`) share.

The parsers are plain functions raising `ValueError`; `argument_type` makes them argparse
types, so a bad value is refused with its own message before `handle` runs. Called through
`call_command`, keyword options skip argparse: pass them parsed (a `timedelta` for
`older_than`, an aware `datetime` for `before`).
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from flowruns.filters.types import UTCDateTime

T = TypeVar("T")

AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

_datetime = TypeAdapter(UTCDateTime)


def parse_age(text: str) -> timedelta:
    """`90s`, `15m`, `12h`, `30d`, `2w` → a timedelta (positive whole numbers only)."""
    value = text.strip().lower()
    number, unit = value[:-1], value[-1:]
    if unit not in AGE_UNITS or not number.isdigit() or int(number) <= 0:
        raise ValueError(f"Invalid age {text!r}: use a number and one of s, m, h, d, w (e.g. 30d)")
    return timedelta(seconds=int(number) * AGE_UNITS[unit])


def parse_datetime(text: str) -> datetime:
    """What the API accepts for a datetime (ISO 8601, a date alone; no offset means UTC)."""
    try:
        return _datetime.validate_python(text)
    except ValidationError:
        raise ValueError(
            f"Invalid date {text!r}: use ISO 8601, e.g. 2024-05-01 or 2024-05-01T12:00:00Z"
        ) from None


def parse_batch_size(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"must be at least 1, not {text!r}")
    return int(text)


def argument_type(parse: Callable[[str], T]) -> Callable[[str], T]:
    """`parse` as an argparse type: its ValueError becomes the argument's error message."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise ArgumentTypeError(str(error)) from None

    convert.__name__ = parse.__name__
    return convert


def add_cutoff_arguments(parser: ArgumentParser, *, rows: str) -> None:
    """`--older-than AGE` and `--before DATE`; `rows` completes "… at least AGE ago"."""
    parser.add_argument(
        "--older-than",
        metavar="AGE",
        type=argument_type(parse_age),
        help=f"{rows} at least AGE ago: 30d, 12h, 90m, 2w",
    )
    parser.add_argument(
        "--before",
        metavar="DATE",
        type=argument_type(parse_datetime),
        help=f"{rows} at or before DATE (ISO 8601; no offset means UTC)",
    )


def add_batch_arguments(parser: ArgumentParser, *, noun: str, batch_size: int, every: str) -> None:
    """`--all`, `--dry-run`, `--batch-size` and `--no-progress`."""
    parser.add_argument(
        "--all", action="store_true", help=f"allow running without a selector ({every})"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be deleted, delete nothing"
    )
    parser.add_argument(
        "--batch-size",
        type=argument_type(parse_batch_size),
        default=batch_size,
        help=f"{noun} per transaction (default {batch_size})",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )


def cutoff(options: dict[str, Any]) -> datetime | None:
    """The earlier of `now - older_than` and `before` (None when neither is given)."""
    given = [options["before"]]
    if options["older_than"] is not None:
        given.append(timezone.now() - options["older_than"])
    dates = [date for date in given if date is not None]
    return min(dates) if dates else None
