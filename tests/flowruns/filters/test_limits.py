"""`check_limit` (spec/api.md §6.10)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from flowruns.api.wire.errors import DetailError
from flowruns.filters.limits import check_limit


def test_null_is_the_default() -> None:
    assert check_limit(None) == 200


@pytest.mark.parametrize("limit", [0, 1, 200])
def test_values_in_range_are_kept(limit: int) -> None:
    assert check_limit(limit) == limit


def test_negative_is_a_422_detail() -> None:
    with pytest.raises(DetailError) as excinfo:
        check_limit(-1)
    assert excinfo.value.status_code == 422
    assert excinfo.value.body() == {"detail": "Invalid limit: must be greater than or equal to 0."}


def test_above_the_maximum_is_a_422_detail() -> None:
    with pytest.raises(DetailError) as excinfo:
        check_limit(201)
    assert excinfo.value.status_code == 422
    assert excinfo.value.body() == {"detail": "Invalid limit: must be less than or equal to 200."}


@override_settings(PREFECT_API_DEFAULT_LIMIT=50)
def test_the_default_and_maximum_follow_the_setting() -> None:
    assert check_limit(None) == 50
    assert check_limit(50) == 50
    with pytest.raises(DetailError) as excinfo:
        check_limit(51)
    assert excinfo.value.detail == "Invalid limit: must be less than or equal to 50."
