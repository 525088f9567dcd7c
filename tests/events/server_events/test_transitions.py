"""`prefect.flow-run.<State>`: one event per written state, none for the rest."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from events import bus
from events.models import Event
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state
from tests.factories import FlowRunFactory
from tests.flowruns.api.set_state.helpers import create_run, iso, propose, set_state

from .helpers import run_events, states

pytestmark = pytest.mark.django_db


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
