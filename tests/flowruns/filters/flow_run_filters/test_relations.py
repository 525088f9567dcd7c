"""FlowRunFilter criteria on what a run belongs to or came from: `deployment_id`,
`work_queue_name`, parent flow and task runs, `created_by` (spec/api.md §4.1, §4.3)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from flowruns.models import FlowRun
from tests.factories import FlowRunFactory, TaskRunFactory
from tests.flowruns.filters.helpers import ids

from .helpers import matching

pytestmark = pytest.mark.django_db


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
