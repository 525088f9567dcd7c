"""FlowRunFilter start, end, expected and next scheduled start times (spec/api.md §4.1, §4.3)."""

from __future__ import annotations

import pytest

from flowruns.models import FlowRun
from tests.factories import FlowRunFactory
from tests.flowruns.filters.helpers import at, ids, iso

from .helpers import matching

pytestmark = pytest.mark.django_db


class TestStartTime:
    @pytest.fixture
    def runs(self) -> dict[str, FlowRun]:
        return {
            "started": FlowRunFactory.create(start_time=at(10), expected_start_time=at(0)),
            "expected": FlowRunFactory.create(start_time=None, expected_start_time=at(20)),
            "neither": FlowRunFactory.create(start_time=None, expected_start_time=None),
        }

    def test_bounds_use_the_actual_start_else_the_expected_start(
        self, runs: dict[str, FlowRun]
    ) -> None:
        assert matching({"start_time": {"before_": iso(15)}}) == ids(runs["started"])
        assert matching({"start_time": {"after_": iso(15)}}) == ids(runs["expected"])
        # `started` expected to start at 0 but started at 10: only 10 counts.
        assert matching({"start_time": {"before_": iso(5)}}) == set()

    def test_bounds_are_inclusive(self, runs: dict[str, FlowRun]) -> None:
        body = {"after_": iso(10), "before_": iso(20)}
        assert matching({"start_time": body}) == ids(runs["started"], runs["expected"])
        assert matching({"start_time": {"after_": iso(20), "before_": iso(20)}}) == ids(
            runs["expected"]
        )

    def test_is_null_tests_the_actual_start_only(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"start_time": {"is_null_": True}}) == ids(
            runs["expected"], runs["neither"]
        )
        assert matching({"start_time": {"is_null_": False}}) == ids(runs["started"])

    def test_offsets_and_naive_values(self, runs: dict[str, FlowRun]) -> None:
        # 2024-01-01T00:15:00Z written with a +01:00 offset, and naive (read as UTC).
        assert matching({"start_time": {"before_": "2024-01-01T01:15:00+01:00"}}) == ids(
            runs["started"]
        )
        assert matching({"start_time": {"before_": "2024-01-01 00:15:00"}}) == ids(runs["started"])


class TestEndTime:
    def test_bounds_and_is_null(self) -> None:
        early = FlowRunFactory.create(end_time=at(10))
        late = FlowRunFactory.create(end_time=at(20))
        running = FlowRunFactory.create(end_time=None)
        assert matching({"end_time": {"before_": iso(10)}}) == ids(early)
        assert matching({"end_time": {"after_": iso(10)}}) == ids(early, late)
        assert matching({"end_time": {"is_null_": True}}) == ids(running)
        assert matching({"end_time": {"is_null_": False}}) == ids(early, late)
        assert matching({"end_time": {"after_": iso(11), "before_": iso(20)}}) == ids(late)


class TestExpectedAndNextScheduledStart:
    def test_expected_start_time(self) -> None:
        a = FlowRunFactory.create(expected_start_time=at(0))
        b = FlowRunFactory.create(expected_start_time=at(30))
        FlowRunFactory.create(expected_start_time=None)
        assert matching({"expected_start_time": {"before_": iso(0)}}) == ids(a)
        assert matching({"expected_start_time": {"after_": iso(0)}}) == ids(a, b)
        assert matching({"expected_start_time": {"after_": iso(1), "before_": iso(30)}}) == ids(b)

    def test_next_scheduled_start_time(self) -> None:
        a = FlowRunFactory.create(next_scheduled_start_time=at(0))
        b = FlowRunFactory.create(next_scheduled_start_time=at(30))
        FlowRunFactory.create(next_scheduled_start_time=None)
        assert matching({"next_scheduled_start_time": {"before_": iso(29)}}) == ids(a)
        assert matching({"next_scheduled_start_time": {"after_": iso(0)}}) == ids(a, b)
