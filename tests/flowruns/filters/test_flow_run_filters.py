"""Every criterion of FlowRunFilter (`flow_runs`), against real rows (spec/api.md §4.1, §4.3)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from flowruns.models import FlowRun, StateType
from tests.factories import FlowFactory, FlowRunFactory, TaskRunFactory

from .helpers import at, flow_runs, ids, iso

pytestmark = pytest.mark.django_db


def matching(flow_run_filter: dict[str, Any]) -> set[Any]:
    return flow_runs({"flow_runs": flow_run_filter})


def everything() -> set[Any]:
    return set(FlowRun.objects.values_list("id", flat=True))


class TestId:
    def test_any_and_not_any(self) -> None:
        a, b, c = FlowRunFactory.create_batch(3)
        assert matching({"id": {"any_": [str(a.id), str(b.id)]}}) == ids(a, b)
        assert matching({"id": {"not_any_": [str(a.id)]}}) == ids(b, c)
        assert matching({"id": {"any_": [str(a.id), str(b.id)], "not_any_": [str(b.id)]}}) == ids(a)

    def test_empty_any_matches_nothing_but_empty_not_any_is_ignored(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        assert matching({"id": {"any_": []}}) == set()
        assert matching({"id": {"not_any_": []}}) == ids(a, b)

    def test_null_criteria_are_not_given(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        assert matching({"id": {"any_": None, "not_any_": None}}) == ids(a, b)

    def test_an_unknown_id_matches_nothing(self) -> None:
        FlowRunFactory.create()
        assert matching({"id": {"any_": [str(uuid4())]}}) == set()


class TestName:
    def test_any_is_exact(self) -> None:
        a = FlowRunFactory.create(name="alpha")
        FlowRunFactory.create(name="alphabet")
        assert matching({"name": {"any_": ["alpha"]}}) == ids(a)
        assert matching({"name": {"any_": ["ALPHA"]}}) == set()

    def test_like_is_a_case_insensitive_substring(self) -> None:
        a = FlowRunFactory.create(name="sad-Marvin")
        b = FlowRunFactory.create(name="marvin-robot")
        FlowRunFactory.create(name="arthur")
        assert matching({"name": {"like_": "marvin"}}) == ids(a, b)
        assert matching({"name": {"like_": "MARVIN-R"}}) == ids(b)

    def test_like_wildcards_are_not_escaped(self) -> None:
        a = FlowRunFactory.create(name="cnt-1")
        b = FlowRunFactory.create(name="cnt_1")
        c = FlowRunFactory.create(name="count-1")
        FlowRunFactory.create(name="other")
        assert matching({"name": {"like_": "cnt_1"}}) == ids(a, b)
        assert matching({"name": {"like_": "c%1"}}) == ids(a, b, c)

    def test_empty_like_is_ignored(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        assert matching({"name": {"like_": ""}}) == ids(a, b)

    def test_any_and_like_are_anded(self) -> None:
        a = FlowRunFactory.create(name="marvin")
        FlowRunFactory.create(name="marvin-2")
        assert matching({"name": {"any_": ["marvin", "zaphod"], "like_": "arv"}}) == ids(a)


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


class TestDeploymentId:
    def test_any_and_is_null(self) -> None:
        deployment_id = uuid4()
        a = FlowRunFactory.create(deployment_id=deployment_id)
        b = FlowRunFactory.create(deployment_id=uuid4())
        c = FlowRunFactory.create(deployment_id=None)
        assert matching({"deployment_id": {"any_": [str(deployment_id)]}}) == ids(a)
        assert matching({"deployment_id": {"is_null_": True}}) == ids(c)
        assert matching({"deployment_id": {"is_null_": False}}) == ids(a, b)
        assert matching({"deployment_id": {"any_": []}}) == set()

    def test_or(self) -> None:
        deployment_id = uuid4()
        a = FlowRunFactory.create(deployment_id=deployment_id)
        FlowRunFactory.create(deployment_id=uuid4())
        c = FlowRunFactory.create(deployment_id=None)
        body = {"operator": "or_", "any_": [str(deployment_id)], "is_null_": True}
        assert matching({"deployment_id": body}) == ids(a, c)


class TestWorkQueueName:
    def test_any_and_is_null_use_the_stored_column(self) -> None:
        a = FlowRunFactory.create(work_queue_name="default")
        b = FlowRunFactory.create(work_queue_name="other")
        c = FlowRunFactory.create(work_queue_name=None)
        assert matching({"work_queue_name": {"any_": ["default"]}}) == ids(a)
        assert matching({"work_queue_name": {"is_null_": True}}) == ids(c)
        assert matching({"work_queue_name": {"is_null_": False}}) == ids(a, b)
        body = {"operator": "or_", "any_": ["other"], "is_null_": True}
        assert matching({"work_queue_name": body}) == ids(b, c)


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


class TestFlowVersion:
    def test_any(self) -> None:
        a = FlowRunFactory.create(flow_version="1.0")
        FlowRunFactory.create(flow_version="2.0")
        FlowRunFactory.create(flow_version=None)
        assert matching({"flow_version": {"any_": ["1.0"]}}) == ids(a)
        assert matching({"flow_version": {"any_": []}}) == set()


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


class TestParents:
    def test_parent_flow_run_id_matches_direct_subflows_only(self) -> None:
        parent = FlowRunFactory.create()
        child = FlowRunFactory.create(parent_task_run=TaskRunFactory.create(flow_run=parent))
        grandchild = FlowRunFactory.create(parent_task_run=TaskRunFactory.create(flow_run=child))
        FlowRunFactory.create()
        assert matching({"parent_flow_run_id": {"any_": [str(parent.id)]}}) == ids(child)
        both = {"any_": [str(parent.id), str(child.id)]}
        assert matching({"parent_flow_run_id": both}) == ids(child, grandchild)
        assert matching({"parent_flow_run_id": {"any_": []}}) == set()

    def test_parent_task_run_id(self) -> None:
        task = TaskRunFactory.create()
        child = FlowRunFactory.create(parent_task_run=task)
        orphan = FlowRunFactory.create(parent_task_run=None)
        assert matching({"parent_task_run_id": {"any_": [str(task.id)]}}) == ids(child)
        assert matching({"parent_task_run_id": {"is_null_": False}}) == ids(child)
        assert ids(orphan) <= matching({"parent_task_run_id": {"is_null_": True}})
        assert child.id not in matching({"parent_task_run_id": {"is_null_": True}})


class TestIdempotencyKey:
    def test_any_and_not_any_exclude_runs_without_a_key(self) -> None:
        a = FlowRunFactory.create(idempotency_key="a")
        b = FlowRunFactory.create(idempotency_key="b")
        FlowRunFactory.create(idempotency_key=None)
        assert matching({"idempotency_key": {"any_": ["a"]}}) == ids(a)
        assert matching({"idempotency_key": {"not_any_": ["a"]}}) == ids(b)
        assert matching({"idempotency_key": {"not_any_": []}}) == everything()


class TestCreatedBy:
    @pytest.fixture
    def runs(self) -> dict[str, FlowRun]:
        self.automation = uuid4()
        self.deployment = uuid4()
        return {
            "automation": FlowRunFactory.create(
                created_by={"id": str(self.automation), "type": "AUTOMATION", "display_value": "x"}
            ),
            "deployment": FlowRunFactory.create(
                created_by={"id": str(self.deployment), "type": "DEPLOYMENT", "display_value": None}
            ),
            "nobody": FlowRunFactory.create(created_by=None),
        }

    def test_id_type_and_is_null(self, runs: dict[str, FlowRun]) -> None:
        assert matching({"created_by": {"id_": [str(self.automation)]}}) == ids(runs["automation"])
        assert matching({"created_by": {"id_": [self.deployment.hex]}}) == ids(runs["deployment"])
        assert matching({"created_by": {"type_": ["DEPLOYMENT"]}}) == ids(runs["deployment"])
        assert matching({"created_by": {"is_null_": True}}) == ids(runs["nobody"])
        assert matching({"created_by": {"is_null_": False}}) == ids(
            runs["automation"], runs["deployment"]
        )
        assert matching({"created_by": {"type_": []}}) == set()

    def test_or(self, runs: dict[str, FlowRun]) -> None:
        body = {"operator": "or_", "type_": ["AUTOMATION"], "is_null_": True}
        assert matching({"created_by": body}) == ids(runs["automation"], runs["nobody"])


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
