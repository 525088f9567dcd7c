"""Flow-run state events: follows, message, pause payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state
from tests.factories import DeploymentFactory, FlowRunFactory
from tests.flowruns.api.set_state.helpers import create_run, propose

from .helpers import run_events

pytestmark = pytest.mark.django_db


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
