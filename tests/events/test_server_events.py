"""`prefect.flow-run.<state name>` for every flow-run state the server writes, and
`prefect.flow.created` (spec/events.md §7.1-7.2), read back through `POST /api/events/filter`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from events import bus
from events.models import Event
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state
from tests.factories import DeploymentFactory, FlowRunFactory, WorkQueueFactory
from tests.flowruns.api.set_state.helpers import create_run, iso, propose, set_state

pytestmark = pytest.mark.django_db

UNTIL = "2100-01-01T00:00:00Z"  # state timestamps may be a few µs ahead of "now"


def events_of(api, resource_id: str, prefix: str = "prefect.") -> list[dict[str, Any]]:
    body = {
        "filter": {
            "occurred": {"until": UNTIL},
            "resource": {"id": [resource_id]},
            "event": {"prefix": [prefix]},
            "order": "ASC",
        },
        "limit": 50,
    }
    response = api.post("/api/events/filter", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["events"]


def run_events(api, run_id: str) -> list[dict[str, Any]]:
    return events_of(api, f"prefect.flow-run.{run_id}", "prefect.flow-run.")


def states(api, run_id: str) -> list[dict[str, Any]]:
    return api.get(f"/api/flow_run_states/?flow_run_id={run_id}").json()


def test_creating_a_run_emits_its_initial_state(api):
    run_id = create_run(api, state={"type": "SCHEDULED"}, name="banana-prawn")

    (event,) = run_events(api, run_id)

    (state,) = states(api, run_id)
    assert event["event"] == "prefect.flow-run.Scheduled"
    assert event["id"] == state["id"]
    assert event["occurred"] == state["timestamp"]
    assert event["follows"] is None
    timestamp = datetime.fromisoformat(state["timestamp"].replace("Z", "+00:00"))
    assert event["resource"] == {
        "prefect.resource.id": f"prefect.flow-run.{run_id}",
        "prefect.resource.name": "banana-prawn",
        "prefect.run-count": "0",
        "prefect.state-message": "",
        "prefect.state-name": "Scheduled",
        "prefect.state-timestamp": timestamp.isoformat(),
        "prefect.state-type": "SCHEDULED",
    }
    assert event["resource"]["prefect.state-timestamp"].endswith("+00:00")
    assert event["payload"] == {
        "intended": {"from": None, "to": "SCHEDULED"},
        "initial_state": None,
        "validated_state": {"type": "SCHEDULED", "name": "Scheduled"},
    }


def test_each_accepted_transition_emits_one_event_following_the_previous(api):
    run_id = create_run(api, state={"type": "PENDING"})
    running = propose(api, run_id, "RUNNING").json()["state"]
    completed = propose(api, run_id, "COMPLETED").json()["state"]

    events = run_events(api, run_id)

    pending = states(api, run_id)[0]
    assert [e["event"] for e in events] == [
        "prefect.flow-run.Pending",
        "prefect.flow-run.Running",
        "prefect.flow-run.Completed",
    ]
    assert [e["id"] for e in events] == [pending["id"], running["id"], completed["id"]]
    assert [e["follows"] for e in events] == [None, pending["id"], running["id"]]
    assert [e["resource"]["prefect.run-count"] for e in events] == ["0", "1", "1"]
    assert events[2]["payload"] == {
        "intended": {"from": "RUNNING", "to": "COMPLETED"},
        "initial_state": {"type": "RUNNING", "name": "Running"},
        "validated_state": {"type": "COMPLETED", "name": "Completed"},
    }


def test_a_rejection_with_a_replacement_state_emits_the_written_state(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 1, "retry_delay": 0}
    )

    response = propose(api, run_id, "FAILED", message="boom")

    assert response.json()["status"] == "REJECT"
    event = run_events(api, run_id)[-1]
    assert event["event"] == "prefect.flow-run.AwaitingRetry"
    assert event["id"] == response.json()["state"]["id"]
    assert event["payload"]["intended"] == {"from": "RUNNING", "to": "SCHEDULED"}
    assert event["payload"]["validated_state"] == {
        "type": "SCHEDULED",
        "name": "AwaitingRetry",
        "message": "boom",
    }
    assert event["resource"]["prefect.state-message"] == "boom"


def test_a_forced_state_emits_its_event(api):
    run_id = create_run(api, state={"type": "PENDING"})
    response = set_state(api, run_id, {"type": "COMPLETED"}, force=True)
    assert response.json()["status"] == "ACCEPT"
    assert run_events(api, run_id)[-1]["event"] == "prefect.flow-run.Completed"


def test_custom_state_names_give_custom_event_names(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "COMPLETED", name="SuccessfullyProcessed")
    assert run_events(api, run_id)[-1]["event"] == "prefect.flow-run.SuccessfullyProcessed"


def test_abort_wait_and_a_rejection_without_a_state_emit_nothing(api):
    aborted = create_run(api, state={"type": "PENDING"})
    assert propose(api, aborted, "PENDING").json()["status"] == "ABORT"

    waiting = create_run(
        api,
        state={
            "type": "SCHEDULED",
            "state_details": {"scheduled_time": iso(datetime.now(UTC) + timedelta(minutes=5))},
        },
    )
    assert propose(api, waiting, "RUNNING").json()["status"] == "WAIT"

    rejected = create_run(api, state={"type": "PENDING"})
    transition = {"transition_id": str(uuid.uuid4())}
    propose(api, rejected, "RUNNING", state_details=transition)
    assert propose(api, rejected, "RUNNING", state_details=transition).json()["status"] == "REJECT"

    assert [len(run_events(api, run_id)) for run_id in (aborted, waiting, rejected)] == [1, 1, 2]


def test_a_rolled_back_transition_leaves_no_event_and_publishes_nothing(
    api, django_capture_on_commit_callbacks
):
    run = FlowRunFactory.create(state_type="PENDING", with_state=True)
    published: list[list[dict]] = []
    unsubscribe = bus.subscribe(published.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                outcome = flow_run_set_state(
                    flow_run_id=run.pk,
                    state=StateProposal(type="RUNNING"),
                    call=OrchestrationCall(),
                )
                assert Event.objects.filter(pk=outcome.state.id).exists()  # inside: stored
                raise RuntimeError("the caller's transaction fails after the transition")
            kept = flow_run_set_state(
                flow_run_id=run.pk, state=StateProposal(type="RUNNING"), call=OrchestrationCall()
            )
    finally:
        unsubscribe()

    assert [e["id"] for e in run_events(api, str(run.pk))] == [str(kept.state.id)]
    assert [[e["id"] for e in batch] for batch in published] == [[str(kept.state.id)]]


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


@pytest.mark.parametrize(
    ("age", "follows"), [(timedelta(minutes=4), True), (timedelta(minutes=6), False)]
)
def test_an_event_follows_the_previous_state_only_within_five_minutes(api, age, follows):
    run = FlowRunFactory.create(
        state_type="PENDING", state_timestamp=datetime.now(UTC) - age, with_state=True
    )
    flow_run_set_state(
        flow_run_id=run.pk, state=StateProposal(type="RUNNING"), call=OrchestrationCall()
    )
    (event,) = run_events(api, str(run.pk))
    assert event["follows"] == (str(run.state_id) if follows else None)
    assert event["payload"]["initial_state"] == {"type": "PENDING", "name": "Pending"}


def test_long_messages_are_cut_in_the_middle(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    message = "a" * 60_000 + "b" * 60_000

    propose(api, run_id, "FAILED", message=message)

    event = run_events(api, run_id)[-1]
    cut = "a" * 50_000 + "...20000 additional characters..." + "b" * 50_000
    assert event["resource"]["prefect.state-message"] == cut
    assert event["payload"]["validated_state"]["message"] == cut


def test_paused_states_say_whether_they_reschedule_as_a_string(api):
    blocking = create_run(api, state={"type": "RUNNING"})
    propose(api, blocking, "PAUSED")
    deployment = DeploymentFactory.create()
    suspended = create_run(
        api,
        state={"type": "RUNNING"},
        flow_id=str(deployment.flow_id),
        deployment_id=str(deployment.id),
    )
    propose(api, suspended, "PAUSED", name="Suspended", state_details={"pause_reschedule": True})

    assert run_events(api, blocking)[-1]["payload"]["validated_state"] == {
        "type": "PAUSED",
        "name": "Paused",
        "pause_reschedule": "false",
    }
    assert run_events(api, suspended)[-1]["payload"]["validated_state"]["pause_reschedule"] == (
        "true"
    )
    resumed = api.post(f"/api/flow_runs/{blocking}/resume", {}, format="json")
    assert resumed.json()["status"] == "ACCEPT"
    event = run_events(api, blocking)[-1]
    assert event["event"] == "prefect.flow-run.Running"
    assert event["payload"]["initial_state"]["pause_reschedule"] == "false"


def test_task_run_transitions_over_rest_emit_no_events(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    task = api.post(
        "/api/task_runs/",
        {"flow_run_id": run_id, "task_key": "t", "dynamic_key": "0", "state": {"type": "PENDING"}},
        format="json",
    ).json()
    api.post(
        f"/api/task_runs/{task['id']}/set_state", {"state": {"type": "RUNNING"}}, format="json"
    )

    assert events_of(api, f"prefect.task-run.{task['id']}") == []
    assert not Event.objects.filter(event__startswith="prefect.task-run").exists()


def test_deleting_a_run_keeps_its_events(api):
    run_id = create_run(api, state={"type": "PENDING"})
    propose(api, run_id, "RUNNING")
    assert api.delete(f"/api/flow_runs/{run_id}").status_code == 204
    assert len(run_events(api, run_id)) == 2


def test_creating_a_flow_emits_flow_created_once(api):
    first = api.post("/api/flows/", {"name": "etl", "tags": ["a"]}, format="json")
    again = api.post("/api/flows/", {"name": "etl"}, format="json")

    flow_id = first.json()["id"]
    (event,) = events_of(api, f"prefect.flow.{flow_id}")
    assert (first.status_code, again.status_code) == (201, 200)
    assert event["event"] == "prefect.flow.created"
    assert event["resource"] == {
        "prefect.resource.id": f"prefect.flow.{flow_id}",
        "prefect.resource.name": "etl",
    }
    assert event["related"] == []
    assert event["payload"] == {"name": "etl", "tags": ["a"], "labels": {}}
    assert uuid.UUID(event["id"]).version == 7
