"""`POST /api/flow_runs/{id}/set_state`: the OrchestrationResult and the state content it
answers with."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.factories import FlowFactory, FlowRunFactory
from tests.flowruns.api.set_state.helpers import (
    DETAIL_KEYS,
    STATE_KEYS,
    create_run,
    history,
    iso,
    now,
    parse,
    propose,
    read,
    set_state,
)

pytestmark = pytest.mark.django_db


# --- the OrchestrationResult -------------------------------------------------------------------


def test_accept_returns_the_new_state_with_server_id_timestamp_and_run_id(api):
    run_id = create_run(api)
    foreign = str(uuid.uuid4())
    before = now()
    response = propose(api, run_id, "RUNNING", message="go", state_details={"flow_run_id": foreign})
    after = now()

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["state", "status", "details"]
    assert body["status"] == "ACCEPT"
    assert body["details"] == {"type": "accept_details"}
    state = body["state"]
    assert list(state) == STATE_KEYS
    assert list(state["state_details"]) == DETAIL_KEYS
    assert uuid.UUID(state["id"]).version == 7
    assert before <= parse(state["timestamp"]) <= after
    assert state["timestamp"].endswith("Z")
    assert (state["type"], state["name"], state["message"]) == ("RUNNING", "Running", "go")
    assert state["state_details"]["flow_run_id"] == run_id

    run = read(api, run_id)
    assert run["state_id"] == state["id"]
    assert run["state"] == state
    assert history(api, run_id)[-1] == state


def test_null_reject_returns_the_current_state_and_a_reason(api):
    run_id = create_run(api, state={"type": "CANCELLING"})
    current = read(api, run_id)["state"]
    response = propose(api, run_id, "RUNNING")
    assert response.status_code == 200
    assert response.json() == {
        "state": current,
        "status": "REJECT",
        "details": {
            "type": "reject_details",
            "reason": (
                "Cannot transition flows that are cancelling to a state other than Cancelled."
            ),
        },
    }
    assert len(history(api, run_id)) == 1


def test_abort_returns_the_current_state_and_a_reason(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    current = read(api, run_id)["state"]
    response = propose(api, run_id, "PENDING")
    assert response.status_code == 200
    assert response.json() == {
        "state": current,
        "status": "ABORT",
        "details": {
            "type": "abort_details",
            "reason": "This run is in a RUNNING state and cannot transition to a PENDING state.",
        },
    }
    assert read(api, run_id)["state_type"] == "RUNNING"


def test_abort_on_a_run_without_state_returns_state_null(api):
    run_id = str(FlowRunFactory(flow=FlowFactory()).id)  # a run that has no state at all
    response = propose(api, run_id, "PAUSED")
    assert response.status_code == 200
    assert response.json() == {
        "state": None,
        "status": "ABORT",
        "details": {"type": "abort_details", "reason": "Cannot pause flows with no state."},
    }


def test_wait_for_a_future_scheduled_time_writes_nothing(api):
    scheduled = now() + timedelta(seconds=100)
    run_id = create_run(
        api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": iso(scheduled)}}
    )
    current = read(api, run_id)["state"]

    response = propose(api, run_id, "RUNNING")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "WAIT"
    assert list(body["details"]) == ["type", "delay_seconds", "reason"]
    assert body["details"]["type"] == "wait_details"
    assert body["details"]["reason"] == "Scheduled time is in the future"
    assert isinstance(body["details"]["delay_seconds"], int)
    assert 98 <= body["details"]["delay_seconds"] <= 100
    assert body["state"] == current
    run = read(api, run_id)
    assert (run["state_type"], run["run_count"], run["start_time"]) == ("SCHEDULED", 0, None)
    assert len(history(api, run_id)) == 1


def test_force_skips_the_wait_for_the_scheduled_time(api):
    scheduled = now() + timedelta(seconds=100)
    run_id = create_run(
        api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": iso(scheduled)}}
    )
    response = set_state(api, run_id, {"type": "RUNNING"}, force=True)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "ACCEPT"
    run = read(api, run_id)
    assert run["state_type"] == "RUNNING"
    assert run["run_count"] == 1
    assert run["start_time"] == body["state"]["timestamp"]
    assert run["next_scheduled_start_time"] is None


def test_scheduled_time_already_passed_does_not_wait(api):
    past = now() - timedelta(seconds=30)
    run_id = create_run(
        api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": iso(past)}}
    )
    pending = propose(api, run_id, "PENDING").json()
    assert pending["status"] == "ACCEPT"
    assert pending["state"]["state_details"]["scheduled_time"] == iso(past)
    assert propose(api, run_id, "RUNNING").json()["status"] == "ACCEPT"


# --- state content -----------------------------------------------------------------------------


@pytest.mark.parametrize("data", [42, "some text", [1, "two", None], {"key": "value", "n": [1]}])
def test_state_data_is_persisted_and_returned(api, data):
    run_id = create_run(api, state={"type": "RUNNING"})
    response = propose(api, run_id, "COMPLETED", data=data)
    assert response.status_code == 201
    assert response.json()["state"]["data"] == data
    assert read(api, run_id)["state"]["data"] == data
    assert history(api, run_id)[-1]["data"] == data


def test_unpersisted_data_is_echoed_but_stored_as_null(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    response = propose(api, run_id, "COMPLETED", data={"type": "unpersisted"})
    assert response.status_code == 201
    assert response.json()["state"]["data"] == {"type": "unpersisted"}
    assert read(api, run_id)["state"]["data"] is None
    assert history(api, run_id)[-1]["data"] is None


def test_state_name_defaults_to_the_type_but_an_empty_name_is_kept(api):
    run_id = create_run(api)
    assert propose(api, run_id, "CANCELLING").json()["state"]["name"] == "Cancelling"
    other = create_run(api)
    assert propose(api, other, "RUNNING", name="").json()["state"]["name"] == ""
    assert read(api, other)["state_name"] == ""
