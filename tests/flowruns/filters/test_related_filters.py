"""How `flows`, `deployments`, `work_pools`, `work_pool_queues` and `task_runs` restrict flow
runs (spec/api.md §4.2, §4.5 to §4.8), including the filters of those related objects."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from flowruns.filters.bodies import FlowRunHistoryQuery
from flowruns.models import Deployment, FlowRun, WorkQueue
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    TaskRunFactory,
    WorkPoolFactory,
    WorkQueueFactory,
)

from .helpers import flow_runs, ids

pytestmark = pytest.mark.django_db


def everything() -> set[Any]:
    return set(FlowRun.objects.values_list("id", flat=True))


def run_of(deployment: Deployment) -> FlowRun:
    return FlowRunFactory.create(flow=deployment.flow, deployment_id=deployment.id)


def run_in(queue: WorkQueue) -> FlowRun:
    return FlowRunFactory.create(work_queue=queue)


class TestFlows:
    def test_an_empty_flow_filter_restricts_nothing(self) -> None:
        FlowRunFactory.create_batch(2)
        assert flow_runs({"flows": {}}) == everything()

    def test_id_any_and_not_any(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        assert flow_runs({"flows": {"id": {"any_": [str(a.flow_id)]}}}) == ids(a)
        assert flow_runs({"flows": {"id": {"not_any_": [str(a.flow_id)]}}}) == ids(b)
        assert flow_runs({"flows": {"id": {"any_": []}}}) == set()

    def test_name_any_and_like(self) -> None:
        a = FlowRunFactory.create(flow=FlowFactory.create(name="etl-Daily"))
        b = FlowRunFactory.create(flow=FlowFactory.create(name="etl-hourly"))
        FlowRunFactory.create(flow=FlowFactory.create(name="report"))
        assert flow_runs({"flows": {"name": {"any_": ["etl-hourly"]}}}) == ids(b)
        assert flow_runs({"flows": {"name": {"like_": "ETL"}}}) == ids(a, b)
        assert flow_runs({"flows": {"name": {"like_": "etl_d"}}}) == ids(a)

    def test_tags_all_and_is_null(self) -> None:
        a = FlowRunFactory.create(flow=FlowFactory.create(tags=["prod", "etl"]))
        b = FlowRunFactory.create(flow=FlowFactory.create(tags=[]))
        assert flow_runs({"flows": {"tags": {"all_": ["prod", "etl"]}}}) == ids(a)
        assert flow_runs({"flows": {"tags": {"all_": ["prod", "x"]}}}) == set()
        assert flow_runs({"flows": {"tags": {"is_null_": True}}}) == ids(b)
        ored = {"operator": "or_", "all_": ["prod"], "is_null_": True}
        assert flow_runs({"flows": {"tags": ored}}) == ids(a, b)

    def test_deployment_is_null(self) -> None:
        deployment = DeploymentFactory.create()
        deployed = FlowRunFactory.create(flow=deployment.flow)
        undeployed = FlowRunFactory.create()
        assert flow_runs({"flows": {"deployment": {"is_null_": True}}}) == ids(undeployed)
        assert flow_runs({"flows": {"deployment": {"is_null_": False}}}) == ids(deployed)
        assert flow_runs({"flows": {"deployment": {"is_null_": None}}}) == ids(deployed, undeployed)

    def test_flow_filter_operator(self) -> None:
        a = FlowRunFactory.create(flow=FlowFactory.create(name="a", tags=["x"]))
        b = FlowRunFactory.create(flow=FlowFactory.create(name="b", tags=[]))
        FlowRunFactory.create(flow=FlowFactory.create(name="c", tags=[]))
        body = {"operator": "or_", "name": {"any_": ["b"]}, "tags": {"all_": ["x"]}}
        assert flow_runs({"flows": body}) == ids(a, b)
        body["operator"] = "and_"
        assert flow_runs({"flows": body}) == set()


class TestDeployments:
    def test_an_empty_deployment_filter_keeps_runs_whose_deployment_exists(self) -> None:
        deployed = run_of(DeploymentFactory.create())
        FlowRunFactory.create(deployment_id=uuid4())  # no such deployment row
        FlowRunFactory.create(deployment_id=None)
        assert flow_runs({"deployments": {}}) == ids(deployed)
        assert flow_runs({"deployments": None}) == everything()

    def test_id(self) -> None:
        d1, d2 = DeploymentFactory.create_batch(2)
        r1, r2 = run_of(d1), run_of(d2)
        assert flow_runs({"deployments": {"id": {"any_": [str(d1.id)]}}}) == ids(r1)
        assert flow_runs({"deployments": {"id": {"not_any_": [str(d1.id)]}}}) == ids(r2)

    def test_name_any_and_like(self) -> None:
        r1 = run_of(DeploymentFactory.create(name="nightly-Build"))
        r2 = run_of(DeploymentFactory.create(name="hourly"))
        assert flow_runs({"deployments": {"name": {"any_": ["hourly"]}}}) == ids(r2)
        assert flow_runs({"deployments": {"name": {"like_": "build"}}}) == ids(r1)

    def test_flow_or_deployment_name(self) -> None:
        by_deployment = run_of(DeploymentFactory.create(name="report-x"))
        by_flow = run_of(DeploymentFactory.create(flow=FlowFactory.create(name="Report-flow")))
        run_of(DeploymentFactory.create(name="other", flow=FlowFactory.create(name="other")))
        body = {"flow_or_deployment_name": {"like_": "report"}}
        assert flow_runs({"deployments": body}) == ids(by_deployment, by_flow)

    def test_paused(self) -> None:
        paused = run_of(DeploymentFactory.create(paused=True))
        active = run_of(DeploymentFactory.create(paused=False))
        assert flow_runs({"deployments": {"paused": {"eq_": True}}}) == ids(paused)
        assert flow_runs({"deployments": {"paused": {"eq_": False}}}) == ids(active)
        assert flow_runs({"deployments": {"paused": {"eq_": None}}}) == ids(paused, active)

    def test_tags(self) -> None:
        ab = run_of(DeploymentFactory.create(tags=["a", "b"]))
        b = run_of(DeploymentFactory.create(tags=["b"]))
        none = run_of(DeploymentFactory.create(tags=[]))
        assert flow_runs({"deployments": {"tags": {"all_": ["a", "b"]}}}) == ids(ab)
        assert flow_runs({"deployments": {"tags": {"any_": ["a", "z"]}}}) == ids(ab)
        assert flow_runs({"deployments": {"tags": {"any_": []}}}) == set()
        assert flow_runs({"deployments": {"tags": {"is_null_": True}}}) == ids(none)
        assert flow_runs({"deployments": {"tags": {"is_null_": False}}}) == ids(ab, b)

    def test_work_queue_name(self) -> None:
        a = run_of(DeploymentFactory.create(work_queue_name="gpu"))
        run_of(DeploymentFactory.create(work_queue_name="cpu"))
        assert flow_runs({"deployments": {"work_queue_name": {"any_": ["gpu"]}}}) == ids(a)

    def test_concurrency_limit_is_accepted_and_ignored(self) -> None:
        limited = run_of(DeploymentFactory.create(concurrency_limit=1))
        unlimited = run_of(DeploymentFactory.create(concurrency_limit=None))
        body = {"concurrency_limit": {"ge_": 5, "le_": 10, "is_null_": False}}
        assert flow_runs({"deployments": body}) == ids(limited, unlimited)
        ored = {"operator": "or_", "concurrency_limit": {"ge_": 5}, "paused": {"eq_": True}}
        assert flow_runs({"deployments": ored}) == set()

    def test_operator(self) -> None:
        a = run_of(DeploymentFactory.create(name="a", paused=False))
        b = run_of(DeploymentFactory.create(name="b", paused=True))
        run_of(DeploymentFactory.create(name="c", paused=False))
        body = {"operator": "or_", "name": {"any_": ["a"]}, "paused": {"eq_": True}}
        assert flow_runs({"deployments": body}) == ids(a, b)


class TestWorkPoolsAndQueues:
    @pytest.fixture
    def queues(self) -> dict[str, WorkQueue]:
        k8s = WorkPoolFactory.create(name="k8s", type="kubernetes")
        local = WorkPoolFactory.create(name="local", type="process")
        return {
            "k8s-default": WorkQueueFactory.create(work_pool=k8s, name="default"),
            "k8s-Gpu": WorkQueueFactory.create(work_pool=k8s, name="Gpu-high"),
            "local-default": WorkQueueFactory.create(work_pool=local, name="default"),
        }

    def test_an_empty_work_pool_filter_keeps_runs_with_a_queue(
        self, queues: dict[str, WorkQueue]
    ) -> None:
        queued = run_in(queues["k8s-default"])
        FlowRunFactory.create(work_queue=None, work_queue_name="default")
        assert flow_runs({"work_pools": {}}) == ids(queued)
        assert flow_runs({"work_pool_queues": {}}) == ids(queued)

    def test_work_pool_id_name_and_type(self, queues: dict[str, WorkQueue]) -> None:
        a = run_in(queues["k8s-default"])
        b = run_in(queues["k8s-Gpu"])
        c = run_in(queues["local-default"])
        pool = queues["local-default"].work_pool
        assert flow_runs({"work_pools": {"id": {"any_": [str(pool.id)]}}}) == ids(c)
        assert flow_runs({"work_pools": {"name": {"any_": ["k8s"]}}}) == ids(a, b)
        assert flow_runs({"work_pools": {"type": {"any_": ["process"]}}}) == ids(c)
        assert flow_runs({"work_pools": {"type": {"any_": []}}}) == set()
        ored = {"operator": "or_", "name": {"any_": ["local"]}, "type": {"any_": ["kubernetes"]}}
        assert flow_runs({"work_pools": ored}) == ids(a, b, c)

    def test_work_queue_id_and_name(self, queues: dict[str, WorkQueue]) -> None:
        a = run_in(queues["k8s-default"])
        b = run_in(queues["k8s-Gpu"])
        c = run_in(queues["local-default"])
        queue = queues["k8s-Gpu"]
        assert flow_runs({"work_pool_queues": {"id": {"any_": [str(queue.id)]}}}) == ids(b)
        assert flow_runs({"work_pool_queues": {"name": {"any_": ["default"]}}}) == ids(a, c)

    def test_work_queue_startswith_is_a_case_insensitive_or_of_prefixes(
        self, queues: dict[str, WorkQueue]
    ) -> None:
        a = run_in(queues["k8s-default"])
        b = run_in(queues["k8s-Gpu"])
        c = run_in(queues["local-default"])
        assert flow_runs({"work_pool_queues": {"name": {"startswith_": ["gpu"]}}}) == ids(b)
        both = {"startswith_": ["GPU", "def"]}
        assert flow_runs({"work_pool_queues": {"name": both}}) == ids(a, b, c)
        assert flow_runs({"work_pool_queues": {"name": {"startswith_": ["pu"]}}}) == set()
        assert flow_runs({"work_pool_queues": {"name": {"startswith_": []}}}) == ids(a, b, c)

    def test_history_reads_the_queue_filter_from_work_queues(
        self, queues: dict[str, WorkQueue]
    ) -> None:
        a = run_in(queues["k8s-default"])
        run_in(queues["k8s-Gpu"])
        body = {"work_queues": {"id": {"any_": [str(queues["k8s-default"].id)]}}}
        q = FlowRunHistoryQuery.model_validate(body).q()
        assert set(FlowRun.objects.filter(q).values_list("id", flat=True)) == ids(a)


class TestTaskRuns:
    def test_an_empty_task_run_filter_keeps_runs_with_a_task_run(self) -> None:
        with_tasks = FlowRunFactory.create()
        TaskRunFactory.create(flow_run=with_tasks)
        TaskRunFactory.create(flow_run=with_tasks)
        FlowRunFactory.create()
        assert flow_runs({"task_runs": {}}) == ids(with_tasks)

    def test_a_task_run_criterion(self) -> None:
        a, b = FlowRunFactory.create_batch(2)
        TaskRunFactory.create(flow_run=a, name="extract")
        TaskRunFactory.create(flow_run=b, name="load")
        assert flow_runs({"task_runs": {"name": {"any_": ["load"]}}}) == ids(b)


class TestComposition:
    def test_every_related_filter_is_anded(self) -> None:
        queue = WorkQueueFactory.create()
        deployment = DeploymentFactory.create(name="d")
        match = FlowRunFactory.create(
            flow=deployment.flow, deployment_id=deployment.id, work_queue=queue, name="hit"
        )
        TaskRunFactory.create(flow_run=match)
        near_miss = FlowRunFactory.create(
            flow=deployment.flow, deployment_id=deployment.id, work_queue=queue, name="hit"
        )  # no task run
        body: dict[str, Any] = {
            "flows": {"id": {"any_": [str(deployment.flow_id)]}},
            "flow_runs": {"name": {"any_": ["hit"]}},
            "task_runs": {},
            "deployments": {"name": {"any_": ["d"]}},
            "work_pools": {"id": {"any_": [str(queue.work_pool_id)]}},
            "work_pool_queues": {"id": {"any_": [str(queue.id)]}},
        }
        assert flow_runs(body) == ids(match)
        body["task_runs"] = None
        assert flow_runs(body) == ids(match, near_miss)
