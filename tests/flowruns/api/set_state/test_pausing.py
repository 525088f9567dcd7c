"""`POST /api/flow_runs/{id}/set_state`: Pausing, suspending and resuming through set_state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import DeploymentFactory, TaskRunFactory
from tests.flowruns.api.set_state.helpers import (
    create_run,
    deployment_run,
    iso,
    now,
    propose,
    read,
    set_state,
)

pytestmark = pytest.mark.django_db


# --- pausing -----------------------------------------------------------------------------------


def test_pausing_a_running_run_records_its_pause_key_and_a_key_fires_once(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    paused = propose(api, run_id, "PAUSED", state_details={"pause_key": "approval"})
    assert paused.status_code == 201
    assert paused.json()["status"] == "ACCEPT"
    assert paused.json()["state"]["state_details"]["pause_key"] == "approval"
    assert read(api, run_id)["empirical_policy"]["pause_keys"] == ["approval"]
    assert propose(api, run_id, "RUNNING").json()["status"] == "ACCEPT"

    again = propose(api, run_id, "PAUSED", state_details={"pause_key": "approval"})

    assert again.status_code == 200
    assert again.json()["status"] == "REJECT"
    assert again.json()["details"]["reason"] == "This pause has already fired."
    assert read(api, run_id)["state_type"] == "RUNNING"

    suspended = propose(
        api, run_id, "PAUSED", name="Suspended", state_details={"pause_key": "approval"}
    )
    assert suspended.json()["status"] == "REJECT"
    assert suspended.json()["details"]["reason"] == "This suspend has already fired."


def test_pausing_without_a_key_uses_a_fresh_one_each_time(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    assert propose(api, run_id, "PAUSED").json()["status"] == "ACCEPT"
    propose(api, run_id, "RUNNING")
    assert propose(api, run_id, "PAUSED").json()["status"] == "ACCEPT"
    assert len(read(api, run_id)["empirical_policy"]["pause_keys"]) == 2


@pytest.mark.parametrize(("name", "verb"), [("Paused", "pause"), ("Suspended", "suspend")])
def test_only_running_runs_can_be_paused(api, name, verb):
    run_id = create_run(api, state={"type": "PENDING"})
    response = propose(api, run_id, "PAUSED", name=name)
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert (
        response.json()["details"]["reason"]
        == f"Cannot {verb} flows that are not currently running."
    )
    assert read(api, run_id)["state_type"] == "PENDING"


@pytest.mark.parametrize(("name", "verb"), [("Paused", "pause"), ("Suspended", "suspend")])
def test_rescheduling_pause_needs_a_deployment(api, name, verb):
    run_id = create_run(api, state={"type": "RUNNING"})
    response = propose(api, run_id, "PAUSED", name=name, state_details={"pause_reschedule": True})
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"] == {
        "type": "abort_details",
        "reason": f"Cannot {verb} flows without a deployment.",
    }
    run = read(api, run_id)
    assert run["state_type"] == "RUNNING"
    assert run["empirical_policy"]["pause_keys"] == []


def test_suspending_a_deployment_run_is_accepted(api):
    deployment = DeploymentFactory()
    run_id = deployment_run(api, deployment, state={"type": "RUNNING"})
    response = propose(
        api, run_id, "PAUSED", name="Suspended", state_details={"pause_reschedule": True}
    )
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["state_details"]["pause_reschedule"] is True


def test_resuming_a_blocking_pause_counts_a_run_and_sets_resuming(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "PAUSED")
    response = propose(api, run_id, "RUNNING")
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert run["run_count"] == 2
    assert run["empirical_policy"]["resuming"] is True

    # the next RUNNING is the resumed run itself: not counted, and the marker goes away
    assert propose(api, run_id, "RUNNING").json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert run["run_count"] == 2
    assert run["empirical_policy"]["resuming"] is False


def test_resuming_after_the_pause_timed_out_fails_the_run(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    expired = iso(now() - timedelta(minutes=1))
    assert (
        propose(api, run_id, "PAUSED", state_details={"pause_timeout": expired}).status_code == 201
    )

    response = propose(api, run_id, "RUNNING")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"] == {
        "type": "reject_details",
        "reason": "The flow run pause has timed out and can no longer resume.",
    }
    assert body["state"]["type"] == "FAILED"
    assert body["state"]["message"] == "The flow was running and never resumed."
    run = read(api, run_id)
    assert run["state_type"] == "FAILED"
    assert run["run_count"] == 1
    assert run["end_time"] == body["state"]["timestamp"]
    assert run["empirical_policy"]["resuming"] is True


def test_resuming_before_the_pause_timeout_is_accepted(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    later = iso(now() + timedelta(hours=1))
    propose(api, run_id, "PAUSED", state_details={"pause_timeout": later})
    assert propose(api, run_id, "RUNNING").json()["status"] == "ACCEPT"


# --- more pausing / resuming -------------------------------------------------------------------


def test_subflows_cannot_be_suspended(api):
    parent = TaskRunFactory()
    deployment = DeploymentFactory()
    run_id = deployment_run(
        api, deployment, state={"type": "RUNNING"}, parent_task_run_id=str(parent.id)
    )
    response = propose(api, run_id, "PAUSED", state_details={"pause_reschedule": True})
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == "Cannot pause subflows."


def test_paused_run_cannot_go_back_to_pending_but_is_marked_resuming(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "PAUSED")
    response = propose(api, run_id, "PENDING")
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"].startswith("This run cannot transition to the ")
    run = read(api, run_id)
    assert run["state_type"] == "PAUSED"
    assert run["empirical_policy"]["resuming"] is True


def test_suspended_run_without_deployment_cannot_fail_normally(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    set_state(
        api,
        run_id,
        {"type": "PAUSED", "name": "Suspended", "state_details": {"pause_reschedule": True}},
        force=True,
    )
    response = propose(api, run_id, "FAILED")
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"] == (
        "Cannot reschedule a failed flow run without a deployment."
    )
