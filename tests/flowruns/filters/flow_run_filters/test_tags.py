"""FlowRunFilter `tags` (spec/api.md §4.1, §4.3)."""

from __future__ import annotations

import pytest

from flowruns.models import FlowRun
from tests.factories import FlowRunFactory
from tests.flowruns.filters.helpers import ids

from .helpers import matching

pytestmark = pytest.mark.django_db


class TestTags:
    @pytest.fixture
    def runs(self) -> dict[str, FlowRun]:
        return {
            "none": FlowRunFactory.create(tags=[]),
            "a": FlowRunFactory.create(tags=["a"]),
            "ab": FlowRunFactory.create(tags=["a", "b"]),
            "bc": FlowRunFactory.create(tags=["b", "c"]),
        }

    def test_all_is_superset(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"tags": {"all_": ["a"]}}) == ids(runs["a"], runs["ab"])
        assert matching({"tags": {"all_": ["a", "b"]}}) == ids(runs["ab"])
        assert matching({"tags": {"all_": ["a", "zzz"]}}) == set()

    def test_any_intersects(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"tags": {"any_": ["a", "c"]}}) == ids(runs["a"], runs["ab"], runs["bc"])
        assert matching({"tags": {"any_": ["zzz"]}}) == set()

    def test_empty_any_matches_nothing_and_empty_all_is_ignored(
        self, runs: dict[str, FlowRun]
    ) -> None:
        assert matching({"tags": {"any_": []}}) == set()
        assert matching({"tags": {"all_": []}}) == ids(*runs.values())

    def test_is_null_means_an_empty_list(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"tags": {"is_null_": True}}) == ids(runs["none"])
        assert matching({"tags": {"is_null_": False}}) == ids(runs["a"], runs["ab"], runs["bc"])

    def test_tags_are_matched_exactly(self, runs: dict[str, FlowRun]) -> None:
        FlowRunFactory.create(tags=["A", "ab c"])
        assert matching({"tags": {"all_": ["a"]}}) == ids(runs["a"], runs["ab"])

    def test_and_vs_or(self, runs: dict[str, FlowRun]) -> None:
        anded = {"operator": "and_", "any_": ["c"], "all_": ["b"]}
        assert matching({"tags": anded}) == ids(runs["bc"])
        ored = {"operator": "or_", "all_": ["a", "b"], "is_null_": True}
        assert matching({"tags": ored}) == ids(runs["none"], runs["ab"])

    def test_all_on_a_tag_that_contains_quotes(self) -> None:
        run = FlowRunFactory.create(tags=['say "hi"', "it's"])
        assert matching({"tags": {"all_": ['say "hi"', "it's"]}}) == ids(run)
