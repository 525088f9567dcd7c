"""FlowRunFilter criteria combined with `and_` / `or_`, and the client's own bodies
(spec/api.md §4.1, §4.3)."""

from __future__ import annotations

import pytest

from flowruns.models import StateType
from tests.factories import FlowFactory, FlowRunFactory
from tests.flowruns.filters.helpers import flow_runs, ids

from .helpers import everything, matching

pytestmark = pytest.mark.django_db


class TestCombination:
    def test_sub_filters_are_anded_by_default(self) -> None:
        a = FlowRunFactory.create(name="x", tags=["t"])
        FlowRunFactory.create(name="x", tags=[])
        FlowRunFactory.create(name="y", tags=["t"])
        assert matching({"name": {"any_": ["x"]}, "tags": {"all_": ["t"]}}) == ids(a)

    def test_or_of_sub_filters(self) -> None:
        a = FlowRunFactory.create(name="x", tags=[])
        b = FlowRunFactory.create(name="y", tags=["t"])
        FlowRunFactory.create(name="z", tags=[])
        body = {"operator": "or_", "name": {"any_": ["x"]}, "tags": {"all_": ["t"]}}
        assert matching(body) == ids(a, b)

    def test_a_present_empty_sub_filter_is_true_so_it_makes_an_or_match_all(self) -> None:
        FlowRunFactory.create(name="x")
        FlowRunFactory.create(name="y")
        body = {"operator": "or_", "id": {}, "name": {"any_": ["x"]}}
        assert matching(body) == everything()

    def test_null_sub_filters_do_not_widen_an_or(self) -> None:
        a = FlowRunFactory.create(name="x")
        FlowRunFactory.create(name="y")
        body = {"operator": "or_", "id": None, "name": {"any_": ["x"]}}
        assert matching(body) == ids(a)

    def test_an_empty_filter_matches_every_run(self) -> None:
        FlowRunFactory.create_batch(3)
        assert matching({}) == everything()
        assert flow_runs({}) == everything()

    def test_an_or_with_a_clause_matching_nothing(self) -> None:
        a = FlowRunFactory.create(name="x")
        FlowRunFactory.create(name="y")
        body = {"operator": "or_", "id": {"any_": []}, "name": {"any_": ["x"]}}
        assert matching(body) == ids(a)

    def test_the_client_body_with_explicit_nulls(self) -> None:
        flow = FlowFactory.create()
        running = FlowRunFactory.create(flow=flow, state_type=StateType.RUNNING)
        FlowRunFactory.create(flow=flow, state_type=StateType.PENDING)
        FlowRunFactory.create(state_type=StateType.RUNNING)
        body = {
            "flows": {
                "operator": "and_",
                "id": {"any_": [str(flow.id)]},
                "name": None,
                "tags": None,
            },
            "flow_runs": {
                "operator": "and_",
                "id": None,
                "name": None,
                "tags": None,
                "state": {"operator": "and_", "type": {"any_": ["RUNNING"], "not_any_": None}},
                "start_time": {"before_": None, "after_": None, "is_null_": None},
            },
            "task_runs": None,
            "deployments": None,
            "work_pools": None,
            "work_pool_queues": None,
        }
        assert flow_runs(body) == ids(running)
