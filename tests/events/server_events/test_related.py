"""The related resources of flow-run state events, in Prefect's order."""

from __future__ import annotations

import uuid

import pytest

from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state
from tests.factories import DeploymentFactory, FlowRunFactory, WorkQueueFactory

from .helpers import run_events

pytestmark = pytest.mark.django_db


def test_related_resources_in_prefects_order(api):
    from flowruns.services.flow_runs import flow_run_create

    queue = WorkQueueFactory.create(name="q1", work_pool__name="pool-a", work_pool__type="docker")
    deployment = DeploymentFactory.create(
        name="nightly",
        tags=["from-deployment", "shared"],
        flow__name="etl",
        flow__tags=["from-flow", "shared"],
        work_queue=queue,
    )
    parent_run = FlowRunFactory.create(flow=deployment.flow)
    parent_task = parent_run.task_runs.create(
        name="child-wrapper", task_key="k", dynamic_key="0", tags=["from-task"]
    )
    automation_id = uuid.uuid4()
    run, _ = flow_run_create(
        flow_id=deployment.flow_id,
        fields={
            "deployment_id": deployment.pk,
            "parent_task_run_id": parent_task.pk,
            "tags": ["from-run", "shared"],
        },
        state=StateProposal(type="SCHEDULED"),
        call=OrchestrationCall(),
        created_by={"id": str(automation_id), "type": "AUTOMATION", "display_value": "nudge"},
        work_pool_name="pool-a",
        work_queue_name="q1",
    )

    (event,) = run_events(api, str(run.pk))

    assert event["related"] == [
        {
            "prefect.resource.id": f"prefect.flow.{deployment.flow_id}",
            "prefect.resource.role": "flow",
            "prefect.resource.name": "etl",
        },
        {
            "prefect.resource.id": f"prefect.deployment.{deployment.pk}",
            "prefect.resource.role": "deployment",
            "prefect.resource.name": "nightly",
        },
        {
            "prefect.resource.id": f"prefect.work-queue.{queue.pk}",
            "prefect.resource.role": "work-queue",
            "prefect.resource.name": "q1",
        },
        {
            "prefect.resource.id": f"prefect.work-pool.{queue.work_pool_id}",
            "prefect.resource.role": "work-pool",
            "prefect.resource.name": "pool-a",
            "prefect.work-pool.type": "docker",
        },
        {
            "prefect.resource.id": f"prefect.task-run.{parent_task.pk}",
            "prefect.resource.role": "task-run",
            "prefect.resource.name": "child-wrapper",
        },
        *(
            {"prefect.resource.id": f"prefect.tag.{tag}", "prefect.resource.role": "tag"}
            for tag in ("from-deployment", "from-flow", "from-run", "from-task", "shared")
        ),
        {
            "prefect.resource.id": f"prefect.automation.{automation_id}",
            "prefect.resource.role": "creator",
            "prefect.resource.name": "nudge",
        },
    ]


def test_a_plain_run_relates_only_its_flow(api):
    run = FlowRunFactory.create(flow__name="tiny-events")
    flow_run_set_state(
        flow_run_id=run.pk, state=StateProposal(type="PENDING"), call=OrchestrationCall()
    )
    (event,) = run_events(api, str(run.pk))
    assert event["related"] == [
        {
            "prefect.resource.id": f"prefect.flow.{run.flow_id}",
            "prefect.resource.role": "flow",
            "prefect.resource.name": "tiny-events",
        }
    ]


def test_a_deleted_deployment_and_a_manual_creator_relate_nothing(api):
    run = FlowRunFactory.create(
        deployment_id=uuid.uuid4(),
        created_by={"id": None, "type": "USER", "display_value": "someone"},
    )
    flow_run_set_state(
        flow_run_id=run.pk,
        state=StateProposal(type="PENDING"),
        force=True,
        call=OrchestrationCall(),
    )
    (event,) = run_events(api, str(run.pk))
    assert [r["prefect.resource.role"] for r in event["related"]] == ["flow"]
