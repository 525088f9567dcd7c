"""`POST /api/flow_runs/{id}/set_state`: CoreFlowPolicy rules beyond the plain transition
matrix: duplicate transitions, pending, late, terminal states, cancelling, subflows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.factories import DeploymentFactory, TaskRunFactory
from tests.flowruns.api.set_state.helpers import (
    create_run,
    deployment_run,
    history,
    iso,
    now,
    propose,
    read,
    set_state,
)

pytestmark = pytest.mark.django_db


# --- individual rules --------------------------------------------------------------------------


def test_repeated_transition_id_is_rejected_with_the_first_attempts_state(api):
    run_id = create_run(api)
    transition = str(uuid.uuid4())
    first = propose(api, run_id, "RUNNING", state_details={"transition_id": transition})
    assert first.status_code == 201
    first_state = first.json()["state"]
    assert first_state["state_details"]["transition_id"] == transition

    again = propose(api, run_id, "RUNNING", state_details={"transition_id": transition})

    assert again.status_code == 200
    assert again.json()["status"] == "REJECT"
    assert again.json()["details"] == {
        "type": "reject_details",
        "reason": "This run has already made this state transition.",
    }
    assert again.json()["state"] == first_state
    assert read(api, run_id)["run_count"] == 1
    assert len(history(api, run_id)) == 2


def test_pending_to_pending_with_a_worker_name_is_accepted_and_keeps_scheduled_time(api):
    past = iso(now() - timedelta(seconds=5))
    run_id = create_run(api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": past}})
    assert propose(api, run_id, "PENDING").json()["status"] == "ACCEPT"

    response = propose(api, run_id, "PENDING", name="Submitting")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "ACCEPT"
    assert body["state"]["name"] == "Submitting"
    assert body["state"]["state_details"]["scheduled_time"] == past
    assert read(api, run_id)["state_name"] == "Submitting"


@pytest.mark.parametrize(
    ("current_name", "proposed_name"), [(None, "Pending"), ("Submitting", "Submitting")]
)
def test_pending_to_pending_without_a_new_name_is_aborted(api, current_name, proposed_name):
    run_id = create_run(api, state={"type": "PENDING", "name": current_name})
    response = propose(api, run_id, "PENDING", name=proposed_name)
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == (
        "This run is in a PENDING state and cannot transition to a PENDING state."
    )


def test_only_scheduled_runs_can_be_marked_late_and_only_once(api):
    run_id = create_run(api, state={"type": "SCHEDULED"})
    late = propose(api, run_id, "SCHEDULED", name="Late")
    assert late.status_code == 201
    assert late.json()["status"] == "ACCEPT"
    assert read(api, run_id)["state_name"] == "Late"

    again = propose(api, run_id, "SCHEDULED", name="Late")
    assert again.status_code == 200
    assert again.json()["status"] == "REJECT"
    assert again.json()["details"]["reason"] == "This flow run is already marked late."

    running = create_run(api, state={"type": "RUNNING"})
    response = propose(api, running, "SCHEDULED", name="Late")
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"] == "Only scheduled flows can be marked late."
    assert read(api, running)["state_type"] == "RUNNING"


def test_cancelling_run_only_moves_on_to_cancelled(api):
    run_id = create_run(api, state={"type": "CANCELLING"})
    refused = propose(api, run_id, "COMPLETED")
    assert refused.status_code == 200
    assert refused.json()["status"] == "REJECT"
    assert refused.json()["details"]["reason"] == (
        "Cannot transition flows that are cancelling to a state other than Cancelled."
    )
    cancelled = propose(api, run_id, "CANCELLED")
    assert cancelled.status_code == 201
    assert cancelled.json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert run["state_type"] == "CANCELLED"
    assert run["end_time"] == cancelled.json()["state"]["timestamp"]


def test_cancelling_a_scheduled_run_without_infrastructure_cancels_it_outright(api):
    run_id = create_run(api, state={"type": "SCHEDULED"})
    response = propose(api, run_id, "CANCELLING")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"] == {
        "type": "reject_details",
        "reason": "Scheduled flow run has no infrastructure to terminate.",
    }
    assert (body["state"]["type"], body["state"]["name"]) == ("CANCELLED", "Cancelled")
    assert read(api, run_id)["state_type"] == "CANCELLED"
    assert [s["type"] for s in history(api, run_id)] == ["SCHEDULED", "CANCELLED"]


def test_cancelling_a_scheduled_run_with_an_infrastructure_pid_is_accepted(api):
    run_id = create_run(api, state={"type": "SCHEDULED"})
    patched = api.patch(f"/api/flow_runs/{run_id}", {"infrastructure_pid": "4242"}, format="json")
    assert patched.status_code == 204
    response = propose(api, run_id, "CANCELLING")
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert read(api, run_id)["state_type"] == "CANCELLING"


def test_completed_run_with_persisted_result_cannot_run_again(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    result = {"type": "reference", "storage_key": "s3://bucket/result"}
    completed = propose(api, run_id, "COMPLETED", data=result).json()["state"]

    response = propose(api, run_id, "RUNNING")

    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"] == "Run is already COMPLETED."
    assert response.json()["state"]["id"] == completed["id"]
    assert response.json()["state"]["data"] == result
    run = read(api, run_id)
    assert (run["state_type"], run["run_count"]) == ("COMPLETED", 1)


@pytest.mark.parametrize("force", [False, True])
def test_persisted_result_cannot_be_overwritten_by_completed_without_one(api, force):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "COMPLETED", data={"type": "reference", "storage_key": "k"})
    response = set_state(api, run_id, {"type": "COMPLETED"}, force=force)
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"] == (
        "Cannot overwrite a COMPLETED state that carries persisted result data with one that "
        "does not."
    )
    assert read(api, run_id)["state"]["data"] == {"type": "reference", "storage_key": "k"}


def test_completed_run_with_scalar_data_may_run_again(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "COMPLETED", data=42)
    response = propose(api, run_id, "RUNNING")
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert read(api, run_id)["run_count"] == 2


def test_rescheduling_a_finished_run_needs_a_deployment(api):
    run_id = create_run(api, state={"type": "FAILED"})
    response = propose(api, run_id, "SCHEDULED")
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == (
        "Cannot reschedule a run without an associated deployment."
    )
    assert read(api, run_id)["state_type"] == "FAILED"


def test_rescheduling_a_finished_deployment_run_is_a_manual_retry(api):
    deployment = DeploymentFactory()
    run_id = deployment_run(api, deployment, state={"type": "RUNNING"})
    propose(api, run_id, "PAUSED", state_details={"pause_key": "k"})
    propose(api, run_id, "RUNNING")
    assert propose(api, run_id, "FAILED").json()["status"] == "ACCEPT"
    before = read(api, run_id)
    assert before["run_count"] == 2
    assert before["empirical_policy"]["pause_keys"] == ["k"]
    when = iso(now() + timedelta(minutes=5))

    response = propose(api, run_id, "SCHEDULED", state_details={"scheduled_time": when})

    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert run["state_type"] == "SCHEDULED"
    assert run["run_count"] == 2
    assert run["end_time"] is None
    assert run["next_scheduled_start_time"] == when
    assert run["empirical_policy"]["retry_type"] == "reschedule"
    assert run["empirical_policy"]["pause_keys"] == []
    assert run["empirical_policy"]["resuming"] is False


# --- more cancelling ---------------------------------------------------------------------------


def test_cancelling_a_blocking_pause_is_refused(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "PAUSED")
    response = propose(api, run_id, "CANCELLING")
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert read(api, run_id)["state_type"] == "PAUSED"


@pytest.mark.parametrize("force", [False, True])
def test_cancelling_a_suspended_run_cancels_it_outright(api, force):
    deployment = DeploymentFactory()
    run_id = deployment_run(api, deployment, state={"type": "RUNNING"})
    propose(api, run_id, "PAUSED", name="Suspended", state_details={"pause_reschedule": True})

    response = set_state(api, run_id, {"type": "CANCELLING"}, force=force)

    assert response.status_code == 201
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"] == (
        "Suspended flow run has no infrastructure to terminate."
    )
    assert response.json()["state"]["type"] == "CANCELLED"
    assert read(api, run_id)["state_type"] == "CANCELLED"


def test_cancelling_a_resuming_run_cancels_it_even_with_an_infrastructure_pid(api):
    deployment = DeploymentFactory()
    run_id = deployment_run(api, deployment, state={"type": "RUNNING"})
    api.patch(f"/api/flow_runs/{run_id}", {"infrastructure_pid": "77"}, format="json")
    propose(api, run_id, "PAUSED", name="Suspended", state_details={"pause_reschedule": True})
    assert (
        api.post(f"/api/flow_runs/{run_id}/resume", {}, format="json").json()["state"]["name"]
        == "Resuming"
    )

    response = propose(api, run_id, "CANCELLING")

    assert response.json()["status"] == "REJECT"
    assert (
        response.json()["details"]["reason"]
        == "Scheduled flow run has no infrastructure to terminate."
    )
    assert read(api, run_id)["state_type"] == "CANCELLED"


def test_forced_cancelling_of_a_scheduled_run_without_infrastructure_still_cancels_it(api):
    run_id = create_run(api, state={"type": "SCHEDULED"})
    response = set_state(api, run_id, {"type": "CANCELLING"}, force=True)
    assert response.status_code == 201
    assert response.json()["status"] == "REJECT"
    assert response.json()["state"]["type"] == "CANCELLED"


# --- subflows ----------------------------------------------------------------------------------


def test_subflow_states_name_the_parent_task_run_and_the_parent_follows(api):
    parent = TaskRunFactory()
    run_id = create_run(api, parent_task_run_id=str(parent.id))
    response = propose(api, run_id, "RUNNING")
    assert response.json()["state"]["state_details"]["task_run_id"] == str(parent.id)
    parent.refresh_from_db()
    assert parent.state_type == "RUNNING"
    assert parent.state.state_details["child_flow_run_id"] == run_id
