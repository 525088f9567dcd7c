"""FlowRunFilter `state`: its type and name (spec/api.md §4.1, §4.3)."""

from __future__ import annotations

import pytest

from flowruns.models import FlowRun, StateType
from tests.factories import FlowRunFactory
from tests.flowruns.filters.helpers import ids

from .helpers import matching

pytestmark = pytest.mark.django_db


class TestState:
    @pytest.fixture
    def runs(self) -> dict[str, FlowRun]:
        return {
            "running": FlowRunFactory.create(state_type=StateType.RUNNING),
            "completed": FlowRunFactory.create(state_type=StateType.COMPLETED),
            "late": FlowRunFactory.create(state_type=StateType.SCHEDULED, state_name="Late"),
            "scheduled": FlowRunFactory.create(state_type=StateType.SCHEDULED),
            "stateless": FlowRunFactory.create(state_type=None),
        }

    def test_type_any_and_not_any(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"state": {"type": {"any_": ["RUNNING", "COMPLETED"]}}}) == ids(
            runs["running"], runs["completed"]
        )
        # NOT IN follows SQL: the run without a state is excluded too.
        assert matching({"state": {"type": {"not_any_": ["SCHEDULED"]}}}) == ids(
            runs["running"], runs["completed"]
        )
        assert matching({"state": {"type": {"any_": []}}}) == set()
        assert matching({"state": {"type": {"not_any_": []}}}) == ids(*runs.values())

    def test_name_any_and_not_any(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"state": {"name": {"any_": ["Late"]}}}) == ids(runs["late"])
        assert matching({"state": {"name": {"not_any_": ["Late", "Running"]}}}) == ids(
            runs["completed"], runs["scheduled"]
        )

    def test_both_any_and_not_any_are_applied(self, runs: dict[str, FlowRun]) -> None:
        body = {"type": {"any_": ["SCHEDULED", "RUNNING"], "not_any_": ["RUNNING"]}}
        assert matching({"state": body}) == ids(runs["late"], runs["scheduled"])
        names = {"name": {"any_": ["Late", "Scheduled"], "not_any_": ["Late"]}}
        assert matching({"state": names}) == ids(runs["scheduled"])

    def test_type_and_name_are_anded_by_default(self, runs: dict[str, FlowRun]) -> None:
        body = {"type": {"any_": ["SCHEDULED"]}, "name": {"any_": ["Late", "Running"]}}
        assert matching({"state": body}) == ids(runs["late"])

    def test_type_or_name(self, runs: dict[str, FlowRun]) -> None:
        body = {"operator": "or_", "type": {"any_": ["RUNNING"]}, "name": {"any_": ["Late"]}}
        assert matching({"state": body}) == ids(runs["running"], runs["late"])

    def test_an_empty_type_does_not_widen_an_or(self, runs: dict[str, FlowRun]) -> None:
        body = {"operator": "or_", "type": {}, "name": {"any_": ["Late"]}}
        assert matching({"state": body}) == ids(runs["late"])

    def test_an_empty_state_filter_matches_everything(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"state": {"type": None, "name": None}}) == ids(*runs.values())
