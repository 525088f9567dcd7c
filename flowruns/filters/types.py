"""Request-side value types shared by every API body (spec/api.md §1.3).

`UTCDateTime` accepts what Prefect's server accepts for a datetime: ISO-8601 with `T` or a
space, with or without an offset (`Z`, `+02:00`), a date alone, or a unix timestamp. A value
without an offset is read as UTC and every value comes out as an aware UTC datetime. A string
nothing can parse is a 422 `value_error` reading `Unable to parse string [<value>]`, as Prefect
words it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import ValidationError, ValidatorFunctionWrapHandler, WrapValidator


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # `9999-12-31T23:59:59-01:00` is in year 10000 in UTC.
        raise ValueError(f"Datetime out of range in UTC [{value.isoformat()}]") from None


def _parse_datetime(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    try:
        return _to_utc(handler(value))
    except ValidationError:
        if not isinstance(value, str):
            raise ValueError("value is not a valid datetime") from None
    # pydantic's parser is strict RFC 3339; fall back to the rest of ISO 8601
    # (`20210701T120000`, `2021-07-01T12`, ...).
    try:
        return _to_utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise ValueError(f"Unable to parse string [{value}]") from None


UTCDateTime = Annotated[datetime, WrapValidator(_parse_datetime)]
