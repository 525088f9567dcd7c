"""TaskRunFilter criteria and `task_run_filter_q` (spec/api.md §4.4)."""

from __future__ import annotations

from typing import Any

import pytest

from flowruns.filters.compile import task_run_filter_q
from flowruns.filters.schemas import FlowFilter, FlowRunFilter, WorkPoolFilter, WorkQueueFilter
from flowruns.models import StateType, TaskRun
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    TaskRunFactory,
    WorkQueueFactory,
)

from .helpers import at, ids, iso, task_runs

pytestmark = pytest.mark.django_db


def matching(task_run_filter: dict[str, Any]) -> set[Any]:
    return task_runs({"task_runs": task_run_filter})


def everything() -> set[Any]:
    return set(TaskRun.objects.values_list("id", flat=True))


class TestCriteria:
    def test_id(self) -> None:
        a, _ = TaskRunFactory.create_batch(2)
        assert matching({"id": {"any_": [str(a.id)]}}) == ids(a)
        assert matching({"id": {"any_": []}}) == set()

    def test_name(self) -> None:
        a = TaskRunFactory.create(name="Extract-1")
        b = TaskRunFactory.create(name="load_1")
        assert matching({"name": {"any_": ["load_1"]}}) == ids(b)
        assert matching({"name": {"like_": "extract"}}) == ids(a)
        assert matching({"name": {"like_": "_-1"}}) == ids(a)

    def test_tags(self) -> None:
        a = TaskRunFactory.create(tags=["db", "slow"])
        b = TaskRunFactory.create(tags=[])
        assert matching({"tags": {"all_": ["db", "slow"]}}) == ids(a)
        assert matching({"tags": {"all_": ["db", "fast"]}}) == set()
        assert matching({"tags": {"is_null_": True}}) == ids(b)
        assert matching({"tags": {"is_null_": False}}) == ids(a)
        ored = {"operator": "or_", "all_": ["db"], "is_null_": True}
        assert matching({"tags": ored}) == ids(a, b)

    def test_state(self) -> None:
        running = TaskRunFactory.create(state_type=StateType.RUNNING)
        cached = TaskRunFactory.create(state_type=StateType.COMPLETED, state_name="Cached")
        TaskRunFactory.create(state_type=StateType.FAILED)
        assert matching({"state": {"type": {"any_": ["RUNNING"]}}}) == ids(running)
        assert matching({"state": {"name": {"any_": ["Cached"]}}}) == ids(cached)
        both = {"type": {"any_": ["COMPLETED"]}, "name": {"any_": ["Running"]}}
        assert matching({"state": both}) == set()
        assert matching({"state": {"operator": "or_", **both}}) == ids(running, cached)
        assert matching({"state": {"type": {"any_": []}}}) == set()

    def test_start_time_has_no_expected_start_fallback(self) -> None:
        started = TaskRunFactory.create(start_time=at(10), expected_start_time=at(0))
        pending = TaskRunFactory.create(start_time=None, expected_start_time=at(0))
        assert matching({"start_time": {"before_": iso(10)}}) == ids(started)
        assert matching({"start_time": {"after_": iso(11)}}) == set()
        assert matching({"start_time": {"is_null_": True}}) == ids(pending)
        assert matching({"start_time": {"is_null_": False}}) == ids(started)

    def test_end_time(self) -> None:
        ended = TaskRunFactory.create(end_time=at(5))
        running = TaskRunFactory.create(end_time=None)
        assert matching({"end_time": {"after_": iso(5), "before_": iso(5)}}) == ids(ended)
        assert matching({"end_time": {"is_null_": True}}) == ids(running)

    def test_expected_start_time(self) -> None:
        a = TaskRunFactory.create(expected_start_time=at(0))
        b = TaskRunFactory.create(expected_start_time=at(60))
        assert matching({"expected_start_time": {"before_": iso(0)}}) == ids(a)
        assert matching({"expected_start_time": {"after_": iso(1)}}) == ids(b)

    def test_subflow_runs_exists(self) -> None:
        parent = TaskRunFactory.create()
        FlowRunFactory.create(parent_task_run=parent)
        plain = TaskRunFactory.create()
        assert matching({"subflow_runs": {"exists_": True}}) == ids(parent)
        assert matching({"subflow_runs": {"exists_": False}}) == ids(plain)
        assert matching({"subflow_runs": {"exists_": None}}) == ids(parent, plain)

    def test_flow_run_id_is_null_defaults_to_false(self) -> None:
        inside = TaskRunFactory.create()
        other = TaskRunFactory.create()
        loose = TaskRunFactory.create(flow_run=None)
        assert matching({"flow_run_id": {}}) == ids(inside, other)
        assert matching({"flow_run_id": {"is_null_": True}}) == ids(loose)
        assert matching({"flow_run_id": {"is_null_": None}}) == ids(inside, other, loose)
        any_ = {"any_": [str(inside.flow_run_id)]}
        assert matching({"flow_run_id": any_}) == ids(inside)
        assert matching({"flow_run_id": {**any_, "is_null_": True}}) == ids(loose)
        assert matching({"flow_run_id": {"any_": []}}) == set()


class TestRelated:
    def test_a_flow_run_filter_on_ids_only_is_a_plain_in(self) -> None:
        a, _ = TaskRunFactory.create_batch(2)
        q = task_run_filter_q(
            flow_runs=FlowRunFilter.model_validate({"id": {"any_": [a.flow_run_id]}})
        )
        assert "EXISTS" not in str(TaskRun.objects.filter(q).query)
        assert set(TaskRun.objects.filter(q).values_list("id", flat=True)) == ids(a)

    def test_flow_run_filters(self) -> None:
        a = TaskRunFactory.create(flow_run=FlowRunFactory.create(name="wanted"))
        TaskRunFactory.create(flow_run=FlowRunFactory.create(name="other"))
        loose = TaskRunFactory.create(flow_run=None)
        assert task_runs({"flow_runs": {"name": {"any_": ["wanted"]}}}) == ids(a)
        assert loose.id not in task_runs({"flow_runs": {}})
        assert task_runs({"flow_runs": {"id": {"any_": []}}}) == set()

    def test_an_empty_flow_filter_still_requires_a_flow_run(self) -> None:
        inside = TaskRunFactory.create()
        TaskRunFactory.create(flow_run=None)
        assert task_runs({"flows": {}}) == ids(inside)
        assert len(task_runs({})) == 2

    def test_flows_and_deployments(self) -> None:
        deployment = DeploymentFactory.create(flow=FlowFactory.create(name="etl"))
        deployed = TaskRunFactory.create(
            flow_run=FlowRunFactory.create(flow=deployment.flow, deployment_id=deployment.id)
        )
        plain = TaskRunFactory.create()
        assert task_runs({"flows": {"name": {"any_": ["etl"]}}}) == ids(deployed)
        assert task_runs({"deployments": {}}) == ids(deployed)
        assert task_runs({"deployments": None}) == ids(deployed, plain)

    def test_work_pools_and_queues(self) -> None:
        queue = WorkQueueFactory.create(name="gpu")
        queued = TaskRunFactory.create(flow_run=FlowRunFactory.create(work_queue=queue))
        TaskRunFactory.create()
        q = task_run_filter_q(flows=FlowFilter.model_validate({}))
        assert TaskRun.objects.filter(q).count() == 2
        pools = WorkPoolFilter.model_validate({"name": {"any_": [queue.work_pool.name]}})
        queues = WorkQueueFilter.model_validate({"name": {"startswith_": ["GP"]}})
        for q in (task_run_filter_q(work_pools=pools), task_run_filter_q(work_pool_queues=queues)):
            assert set(TaskRun.objects.filter(q).values_list("id", flat=True)) == ids(queued)

    def test_task_runs_and_flow_runs_combine(self) -> None:
        run = FlowRunFactory.create(name="r")
        a = TaskRunFactory.create(flow_run=run, name="a")
        TaskRunFactory.create(flow_run=run, name="b")
        TaskRunFactory.create(flow_run=FlowRunFactory.create(name="s"), name="a")
        body = {"flow_runs": {"name": {"any_": ["r"]}}, "task_runs": {"name": {"any_": ["a"]}}}
        assert task_runs(body) == ids(a)
        assert everything() >= task_runs(body)
