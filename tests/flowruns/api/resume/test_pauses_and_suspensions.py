"""Resuming blocking pauses and suspensions: back to RUNNING, rescheduled, timed out, and
how resumes count runs (api.md §6.9; orchestration.md §2.8, R12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import DeploymentFactory
from tests.flowruns.api.set_state.helpers import create_run, iso

from .helpers import paused_run, read, resume, set_state

pytestmark = pytest.mark.django_db


def states(api, run_id) -> list[dict]:
    return api.get(f"/api/flow_run_states/?flow_run_id={run_id}").json()


def test_resuming_a_blocking_pause_puts_the_run_back_to_running(api):
    run_id = paused_run(api)
    response = resume(api, run_id)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "ACCEPT"
    assert body["details"] == {"type": "accept_details"}
    assert (body["state"]["type"], body["state"]["name"]) == ("RUNNING", "Running")
    run = read(api, run_id)
    assert run["state_id"] == body["state"]["id"]
    assert run["run_count"] == 2
    assert run["empirical_policy"]["resuming"] is True
    assert [s["type"] for s in states(api, run_id)] == ["RUNNING", "PAUSED", "RUNNING"]


def test_resuming_a_suspended_deployment_run_reschedules_it(api):
    deployment = DeploymentFactory()
    run_id = paused_run(api, deployment, name="Suspended", pause_reschedule=True)
    before = datetime.now(UTC)

    response = resume(api, run_id)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "ACCEPT"
    assert (body["state"]["type"], body["state"]["name"]) == ("SCHEDULED", "Resuming")
    scheduled = datetime.fromisoformat(
        body["state"]["state_details"]["scheduled_time"].replace("Z", "+00:00")
    )
    assert before - timedelta(seconds=1) <= scheduled <= datetime.now(UTC)
    run = read(api, run_id)
    assert (run["state_type"], run["state_name"]) == ("SCHEDULED", "Resuming")
    assert run["run_count"] == 1
    assert run["empirical_policy"]["resuming"] is True


def test_suspended_run_without_a_deployment_cannot_be_rescheduled(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    # Only force can suspend a run without a deployment (the pause rule aborts otherwise).
    forced = set_state(
        api,
        run_id,
        "PAUSED",
        force=True,
        name="Suspended",
        state_details={"pause_reschedule": True},
    )
    assert forced.json()["status"] == "ACCEPT"

    response = resume(api, run_id)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"] == {
        "type": "reject_details",
        "reason": "Cannot reschedule a resuming flow run without a deployment.",
    }
    assert body["state"]["type"] == "PAUSED"
    assert read(api, run_id)["state_type"] == "PAUSED"


def test_resuming_after_the_pause_timeout_fails_the_run(api):
    run_id = paused_run(api, pause_timeout=iso(datetime.now(UTC) - timedelta(minutes=5)))
    response = resume(api, run_id)
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
    assert run["end_time"] == body["state"]["timestamp"]


def test_resuming_twice_only_works_once(api):
    run_id = paused_run(api)
    assert resume(api, run_id).json()["status"] == "ACCEPT"
    again = resume(api, run_id)
    assert again.status_code == 200
    assert again.json()["status"] == "ABORT"
    assert read(api, run_id)["run_count"] == 2


def test_suspend_and_resume_does_not_count_a_new_run(api):
    deployment = DeploymentFactory()
    run_id = paused_run(api, deployment, name="Suspended", pause_reschedule=True)
    assert resume(api, run_id).json()["state"]["name"] == "Resuming"
    for state_type in ("PENDING", "RUNNING"):
        response = set_state(api, run_id, state_type)
        assert response.json()["status"] == "ACCEPT", response.json()
    run = read(api, run_id)
    assert run["run_count"] == 1
    assert run["empirical_policy"]["resuming"] is False


def test_a_refused_transition_out_of_pause_makes_the_next_resume_not_count(api):
    run_id = paused_run(api)
    assert set_state(api, run_id, "PENDING").json()["status"] == "REJECT"
    assert resume(api, run_id).json()["status"] == "ACCEPT"
    assert read(api, run_id)["run_count"] == 1


def test_unknown_body_keys_are_ignored(api):
    run_id = paused_run(api)
    response = resume(api, run_id, {"bogus": 1})
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
