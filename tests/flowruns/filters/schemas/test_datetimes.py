"""The date-time type of filter bounds: the forms accepted, always UTC, and the errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from flowruns.filters.schemas import FlowRunFilter
from flowruns.filters.types import UTCDateTime

from .helpers import errors


class DateTimeModel(BaseModel):
    value: UTCDateTime | None = None


class TestDateTimes:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("2021-07-01T00:00:00Z", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01T00:00:00.500000Z", datetime(2021, 7, 1, 0, 0, 0, 500000, tzinfo=UTC)),
            ("2021-07-01 00:00:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01T00:00:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01T02:00:00+02:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-06-30 19:00:00-05:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("20210701T000000", datetime(2021, 7, 1, tzinfo=UTC)),
        ],
    )
    def test_accepted_forms_come_out_as_utc(self, raw: str, expected: datetime) -> None:
        parsed = DateTimeModel.model_validate({"value": raw}).value
        assert parsed == expected
        assert parsed is not None and parsed.utcoffset() is not None
        assert parsed.tzinfo == UTC

    def test_null_is_not_given(self) -> None:
        assert DateTimeModel.model_validate({"value": None}).value is None

    @pytest.mark.parametrize("raw", ["garbage", "2021-13-45", ""])
    def test_an_unparseable_string_is_a_value_error_naming_it(self, raw: str) -> None:
        [error] = errors(DateTimeModel, {"value": raw})
        assert error["type"] == "value_error"
        assert f"Unable to parse string [{raw}]" in error["msg"]

    def test_a_non_string_is_a_value_error(self) -> None:
        [error] = errors(DateTimeModel, {"value": [1, 2]})
        assert error["type"] == "value_error"

    def test_filter_bounds_use_the_shared_type(self) -> None:
        [error] = errors(FlowRunFilter, {"start_time": {"before_": "garbage"}})
        assert error["loc"] == ("start_time", "before_")
        assert error["msg"] == "Value error, Unable to parse string [garbage]"
