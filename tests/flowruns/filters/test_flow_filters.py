"""`flow_filter_q`: the bodies of `/flows/filter` and `/flows/count`."""

from __future__ import annotations

import pytest

from flowruns.models import Flow
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    TaskRunFactory,
    WorkQueueFactory,
)

from .helpers import flows, ids

pytestmark = pytest.mark.django_db


class TestFlowCriteria:
    def test_name_tags_and_id(self) -> None:
        a = FlowFactory.create(name="ingest", tags=["prod"])
        b = FlowFactory.create(name="Ingest-Backfill", tags=[])
        assert flows({"flows": {"name": {"like_": "ingest"}}}) == ids(a, b)
        assert flows({"flows": {"tags": {"all_": ["prod"]}}}) == ids(a)
        assert flows({"flows": {"tags": {"is_null_": True}}}) == ids(b)
        assert flows({"flows": {"id": {"not_any_": [str(a.id)]}}}) == ids(b)

    def test_no_filter_is_every_flow(self) -> None:
        FlowFactory.create_batch(3)
        assert len(flows({})) == Flow.objects.count() == 3


class TestRelated:
    def test_flow_runs_presence_and_criteria(self) -> None:
        with_runs = FlowFactory.create()
        FlowRunFactory.create(flow=with_runs, name="nightly")
        FlowFactory.create()
        assert flows({"flow_runs": {}}) == ids(with_runs)
        assert flows({"flow_runs": {"name": {"any_": ["nightly"]}}}) == ids(with_runs)
        assert flows({"flow_runs": {"name": {"any_": ["other"]}}}) == set()

    def test_task_runs_go_through_a_flow_run(self) -> None:
        with_tasks = FlowFactory.create()
        TaskRunFactory.create(flow_run=FlowRunFactory.create(flow=with_tasks), name="t")
        runs_only = FlowFactory.create()
        FlowRunFactory.create(flow=runs_only)
        assert flows({"task_runs": {}}) == ids(with_tasks)
        assert flows({"task_runs": {"name": {"any_": ["t"]}}}) == ids(with_tasks)

    def test_flow_runs_and_task_runs_must_meet_in_one_run(self) -> None:
        flow = FlowFactory.create()
        FlowRunFactory.create(flow=flow, name="a")
        TaskRunFactory.create(flow_run=FlowRunFactory.create(flow=flow, name="b"))
        body = {"flow_runs": {"name": {"any_": ["a"]}}, "task_runs": {}}
        assert flows(body) == set()
        body["flow_runs"] = {"name": {"any_": ["b"]}}
        assert flows(body) == ids(flow)

    def test_deployments_and_work_pools_go_through_a_deployment(self) -> None:
        queue = WorkQueueFactory.create()
        in_pool = DeploymentFactory.create(name="d1", work_queue=queue)
        no_queue = DeploymentFactory.create(name="d2", work_queue=None)
        FlowFactory.create()
        assert flows({"deployments": {}}) == ids(in_pool.flow, no_queue.flow)
        assert flows({"deployments": {"name": {"any_": ["d2"]}}}) == ids(no_queue.flow)
        assert flows({"work_pools": {}}) == ids(in_pool.flow)
        pool = {"name": {"any_": [queue.work_pool.name]}}
        assert flows({"work_pools": pool, "deployments": {"name": {"any_": ["d1"]}}}) == ids(
            in_pool.flow
        )
        assert flows({"work_pools": pool, "deployments": {"name": {"any_": ["d2"]}}}) == set()
