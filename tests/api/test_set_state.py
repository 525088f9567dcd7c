"""`POST /api/flow_runs/{id}/set_state`: request validation, the OrchestrationResult, the
bookkeeping a client can see afterwards, and the CoreFlowPolicy rules beyond the plain
transition matrix (orchestration.md §1-§3, api.md §6.14, §8).

Every run is created through the API (its initial state is applied with force) unless the test
needs a run without state.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import Deployment, DeploymentConcurrencyLease
from tests.factories import DeploymentFactory, FlowFactory, FlowRunFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

STATE_KEYS = ["id", "type", "name", "timestamp", "message", "data", "state_details"]
DETAIL_KEYS = [
    "flow_run_id", "task_run_id", "child_flow_run_id", "scheduled_time", "cache_key",
    "cache_expiration", "deferred", "untrackable_result", "pause_timeout", "pause_reschedule",
    "pause_key", "run_input_keyset", "refresh_cache", "retriable", "transition_id",
    "task_parameters_id", "traceparent", "deployment_concurrency_lease_id",
]  # fmt: skip
LEASE = "deployment_concurrency_lease_id"


# --- helpers -----------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def create_run(api, state=None, **body) -> str:
    body.setdefault("flow_id", str(FlowFactory().id))
    if state is not None:
        body["state"] = state
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def deployment_run(api, deployment: Deployment, state=None, **body) -> str:
    return create_run(
        api,
        state=state or {"type": "SCHEDULED"},
        flow_id=str(deployment.flow_id),
        deployment_id=str(deployment.id),
        **body,
    )


def set_state(api, run_id, state, force=None, **extra):
    body = {"state": state}
    if force is not None:
        body["force"] = force
    return api.post(f"/api/flow_runs/{run_id}/set_state", body, format="json", **extra)


def propose(api, run_id, state_type, **state):
    return set_state(api, run_id, {"type": state_type, **state})


def read(api, run_id) -> dict:
    response = api.get(f"/api/flow_runs/{run_id}")
    assert response.status_code == 200
    return response.json()


def history(api, run_id) -> list[dict]:
    response = api.get(f"/api/flow_run_states/?flow_run_id={run_id}")
    assert response.status_code == 200
    return response.json()


def leases(deployment: Deployment) -> int:
    return DeploymentConcurrencyLease.objects.filter(deployment_id=deployment.id).count()


# --- request validation ------------------------------------------------------------------------


def test_unknown_run_is_a_404_with_exception_message(api):
    run_id = uuid.uuid4()
    response = propose(api, run_id, "RUNNING")
    assert response.status_code == 404
    assert response.json() == {"exception_message": f"Flow run with id {run_id} not found"}


def test_state_without_its_wrapper_is_a_422_missing_state(api):
    run_id = create_run(api)
    response = api.post(f"/api/flow_runs/{run_id}/set_state", {"type": "RUNNING"}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["exception_message"] == "Invalid request received."
    assert [(e["type"], e["loc"]) for e in body["exception_detail"]] == [
        ("missing", ["body", "state"])
    ]
    assert read(api, run_id)["state_type"] == "PENDING"


@pytest.mark.parametrize("key", ["timestamp", "id"])
def test_client_chosen_state_id_or_timestamp_is_a_422_extra_forbidden(api, key):
    run_id = create_run(api)
    value = str(uuid.uuid4()) if key == "id" else "2020-01-01T00:00:00Z"
    response = propose(api, run_id, "RUNNING", **{key: value})
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == "extra_forbidden"
    assert error["loc"] == ["body", "state", key]
    assert len(history(api, run_id)) == 1


def test_unknown_state_type_is_a_422(api):
    run_id = create_run(api)
    response = propose(api, run_id, "EXPLODED")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "state", "type"]


def test_unknown_top_level_keys_are_ignored(api):
    run_id = create_run(api)
    response = api.post(
        f"/api/flow_runs/{run_id}/set_state",
        {"state": {"type": "RUNNING"}, "bogus": 1, "priority": "high"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"


def test_unknown_state_details_keys_are_dropped_silently(api):
    run_id = create_run(api)
    response = propose(api, run_id, "RUNNING", state_details={"not_a_field": 1})
    assert response.status_code == 201
    assert list(response.json()["state"]["state_details"]) == DETAIL_KEYS


def test_force_accepts_lax_boolean_strings(api):
    later = now() + timedelta(hours=1)
    run_id = create_run(
        api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": iso(later)}}
    )
    response = set_state(api, run_id, {"type": "RUNNING"}, force="true")
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert read(api, run_id)["state_type"] == "RUNNING"


def test_force_rejects_a_non_boolean_string(api):
    run_id = create_run(api)
    response = set_state(api, run_id, {"type": "RUNNING"}, force="definitely")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "force"]


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


# --- bookkeeping -------------------------------------------------------------------------------


def test_running_again_increments_run_count_and_keeps_the_first_start_time(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    first = read(api, run_id)
    assert first["run_count"] == 1
    for expected in (2, 3):
        response = propose(api, run_id, "RUNNING")
        assert response.status_code == 201
        assert read(api, run_id)["run_count"] == expected
    assert read(api, run_id)["start_time"] == first["start_time"]


def test_total_run_time_adds_up_the_running_periods_only(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    started = parse(read(api, run_id)["state"]["timestamp"])
    time.sleep(0.05)
    paused = parse(propose(api, run_id, "PAUSED").json()["state"]["timestamp"])
    time.sleep(0.2)
    resumed = parse(propose(api, run_id, "RUNNING").json()["state"]["timestamp"])
    time.sleep(0.05)
    completed = propose(api, run_id, "COMPLETED").json()["state"]["timestamp"]

    run = read(api, run_id)
    expected = (paused - started) + (parse(completed) - resumed)
    assert run["total_run_time"] == pytest.approx(expected.total_seconds(), abs=1e-3)
    assert run["total_run_time"] < (parse(completed) - started).total_seconds() - 0.15
    assert run["estimated_run_time"] == run["total_run_time"]
    assert run["end_time"] == completed
    assert run["start_time"] == iso(started)


def test_leaving_a_terminal_state_for_a_non_terminal_one_clears_end_time(api):
    run_id = create_run(api, state={"type": "COMPLETED"})
    assert read(api, run_id)["end_time"] is not None

    assert propose(api, run_id, "RUNNING").status_code == 201
    assert read(api, run_id)["end_time"] is None

    failed = propose(api, run_id, "FAILED").json()["state"]
    assert read(api, run_id)["end_time"] == failed["timestamp"]


def test_terminal_to_terminal_keeps_the_first_end_time(api):
    run_id = create_run(api, state={"type": "COMPLETED"})
    end_time = read(api, run_id)["end_time"]
    assert propose(api, run_id, "FAILED").json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert run["state_type"] == "FAILED"
    assert run["end_time"] == end_time


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


# --- automatic retries -------------------------------------------------------------------------


def test_failed_run_with_retries_left_is_retried_until_retries_are_used_up(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 2, "retry_delay": 0}
    )
    assert read(api, run_id)["run_count"] == 1

    for attempt in (1, 2):
        before = now()
        response = propose(api, run_id, "FAILED", message="boom", data={"attempt": attempt})
        after = now()
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "REJECT"
        assert body["details"] == {"type": "reject_details", "reason": "Retrying"}
        state = body["state"]
        assert (state["type"], state["name"]) == ("SCHEDULED", "AwaitingRetry")
        assert state["message"] == "boom"
        assert state["data"] == {"attempt": attempt}
        scheduled = parse(state["state_details"]["scheduled_time"])
        assert before - timedelta(seconds=1) <= scheduled <= after + timedelta(seconds=1)
        run = read(api, run_id)
        assert (run["state_type"], run["state_name"]) == ("SCHEDULED", "AwaitingRetry")
        assert run["empirical_policy"]["retry_type"] == "in_process"
        assert run["end_time"] is None

        running = propose(api, run_id, "RUNNING")
        assert running.json()["status"] == "ACCEPT"
        assert read(api, run_id)["run_count"] == attempt + 1

    final = propose(api, run_id, "FAILED", message="boom")
    assert final.status_code == 201
    assert final.json()["status"] == "ACCEPT"
    assert final.json()["details"] == {"type": "accept_details"}
    run = read(api, run_id)
    assert (run["state_type"], run["run_count"]) == ("FAILED", 3)
    assert run["empirical_policy"]["retry_type"] is None
    assert run["end_time"] == final.json()["state"]["timestamp"]
    assert [(s["type"], s["name"]) for s in history(api, run_id)] == [
        ("RUNNING", "Running"),
        ("SCHEDULED", "AwaitingRetry"),
        ("RUNNING", "Running"),
        ("SCHEDULED", "AwaitingRetry"),
        ("RUNNING", "Running"),
        ("FAILED", "Failed"),
    ]


def test_retry_delay_schedules_the_retry_later_and_makes_running_wait(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 1, "retry_delay": 5}
    )
    before = now()
    response = propose(api, run_id, "FAILED")
    after = now()
    assert response.status_code == 201
    state = response.json()["state"]
    assert state["name"] == "AwaitingRetry"
    scheduled = parse(state["state_details"]["scheduled_time"])
    assert before + timedelta(seconds=5) <= scheduled <= after + timedelta(seconds=5)
    assert (
        read(api, run_id)["next_scheduled_start_time"] == state["state_details"]["scheduled_time"]
    )

    wait = propose(api, run_id, "RUNNING")
    assert wait.status_code == 200
    assert wait.json()["status"] == "WAIT"
    assert wait.json()["details"]["reason"] == "Scheduled time is in the future"
    assert wait.json()["details"]["delay_seconds"] in (4, 5)
    assert wait.json()["state"]["id"] == state["id"]
    assert read(api, run_id)["run_count"] == 1


def test_crashed_runs_are_never_retried(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 3, "retry_delay": 0}
    )
    response = propose(api, run_id, "CRASHED")
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert read(api, run_id)["state_type"] == "CRASHED"


def test_forced_failure_is_not_retried(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 3, "retry_delay": 0}
    )
    response = set_state(api, run_id, {"type": "FAILED"}, force=True)
    assert response.json()["status"] == "ACCEPT"
    assert read(api, run_id)["state_type"] == "FAILED"


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


# --- deployment concurrency --------------------------------------------------------------------


def test_first_run_of_a_limited_deployment_takes_the_slot_with_a_lease(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="ENQUEUE")
    run_id = deployment_run(api, deployment)
    assert leases(deployment) == 0

    response = propose(api, run_id, "PENDING", state_details={LEASE: None})

    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    lease = DeploymentConcurrencyLease.objects.get(deployment_id=deployment.id)
    assert str(lease.flow_run_id) == run_id
    assert response.json()["state"]["state_details"][LEASE] == str(lease.id)
    assert read(api, run_id)["state"]["state_details"][LEASE] == str(lease.id)

    running = propose(api, run_id, "RUNNING", state_details={LEASE: None})
    assert running.json()["status"] == "ACCEPT"
    assert running.json()["state"]["state_details"][LEASE] == str(lease.id)
    assert leases(deployment) == 1


def test_full_deployment_with_enqueue_sends_the_next_run_back_to_wait(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="ENQUEUE")
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    assert propose(api, first, "PENDING").json()["status"] == "ACCEPT"

    before = now()
    response = propose(api, second, "PENDING")
    after = now()

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"] == {
        "type": "reject_details",
        "reason": "Deployment concurrency limit reached.",
    }
    assert (body["state"]["type"], body["state"]["name"]) == (
        "SCHEDULED",
        "AwaitingConcurrencySlot",
    )
    assert body["state"]["state_details"][LEASE] is None
    scheduled = parse(body["state"]["state_details"]["scheduled_time"])
    assert before + timedelta(seconds=30) <= scheduled <= after + timedelta(seconds=30)
    run = read(api, second)
    assert (run["state_type"], run["state_name"]) == ("SCHEDULED", "AwaitingConcurrencySlot")
    assert leases(deployment) == 1


def test_full_deployment_with_cancel_new_cancels_the_next_run(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="CANCEL_NEW")
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, first, "PENDING")

    response = propose(api, second, "PENDING")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"]["reason"] == "Deployment concurrency limit reached."
    assert body["state"]["type"] == "CANCELLED"
    assert body["state"]["message"] == "Deployment concurrency limit reached."
    assert read(api, second)["state_type"] == "CANCELLED"
    assert leases(deployment) == 1


def test_finishing_a_run_gives_its_slot_to_the_next_one(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="ENQUEUE")
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    lease_id = propose(api, first, "PENDING").json()["state"]["state_details"][LEASE]
    assert propose(api, second, "PENDING").json()["status"] == "REJECT"
    propose(api, first, "RUNNING")

    completed = propose(api, first, "COMPLETED")

    assert completed.json()["status"] == "ACCEPT"
    assert completed.json()["state"]["state_details"][LEASE] == lease_id
    assert leases(deployment) == 0
    retry = propose(api, second, "PENDING")
    assert retry.json()["status"] == "ACCEPT"
    lease = DeploymentConcurrencyLease.objects.get(deployment_id=deployment.id)
    assert str(lease.flow_run_id) == second
    assert retry.json()["state"]["state_details"][LEASE] == str(lease.id)


def test_forced_pending_takes_no_slot(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    response = set_state(api, run_id, {"type": "PENDING"}, force=True)
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["state_details"][LEASE] is None
    assert leases(deployment) == 0


def test_deployment_without_a_limit_takes_no_slot(api):
    deployment = DeploymentFactory(concurrency_limit=None)
    run_id = deployment_run(api, deployment)
    response = propose(api, run_id, "PENDING")
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["state_details"][LEASE] is None
    assert DeploymentConcurrencyLease.objects.count() == 0


def test_deployment_limit_of_zero_aborts_submission(api):
    deployment = DeploymentFactory(concurrency_limit=0)
    run_id = deployment_run(api, deployment)
    response = propose(api, run_id, "PENDING")
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == (
        "The deployment concurrency limit is 0. The flow will deadlock if submitted again."
    )
    assert read(api, run_id)["state_type"] == "SCHEDULED"


def test_run_of_a_deleted_deployment_cannot_be_submitted(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    Deployment.objects.filter(pk=deployment.pk).delete()
    response = propose(api, run_id, "PENDING")
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == "Deployment not found."
    assert read(api, run_id)["state_type"] == "SCHEDULED"


def test_deleting_a_run_that_holds_a_slot_frees_it(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, first, "PENDING")
    propose(api, first, "RUNNING")
    assert leases(deployment) == 1

    assert api.delete(f"/api/flow_runs/{first}").status_code == 204

    assert leases(deployment) == 0
    assert propose(api, second, "PENDING").json()["status"] == "ACCEPT"
    assert leases(deployment) == 1


# --- more request shapes -----------------------------------------------------------------------


def test_empty_body_is_a_422_missing_state(api):
    run_id = create_run(api)
    response = api.post(f"/api/flow_runs/{run_id}/set_state", {}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "missing"
    assert response.json()["exception_detail"][0]["loc"] == ["body", "state"]


def test_invalid_json_body_is_a_422_json_invalid(api):
    run_id = create_run(api)
    response = api.generic(
        "POST", f"/api/flow_runs/{run_id}/set_state", "not json", content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body", 0]
    assert error["ctx"] == {"error": "Expecting value"}
    assert response.json()["request_body"] == "not json"


def test_non_uuid_run_id_does_not_match_the_route(api):
    response = api.post(
        "/api/flow_runs/not-a-uuid/set_state", {"state": {"type": "RUNNING"}}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_scheduled_without_a_time_is_scheduled_now(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    before = now()
    response = propose(api, run_id, "SCHEDULED")  # RUNNING → SCHEDULED needs no deployment
    assert response.status_code == 201
    scheduled = response.json()["state"]["state_details"]["scheduled_time"]
    assert before <= parse(scheduled) <= now()
    run = read(api, run_id)
    assert run["next_scheduled_start_time"] == scheduled
    assert run["empirical_policy"]["retry_type"] is None


def test_leaving_scheduled_clears_next_scheduled_start_time(api):
    when = iso(now() - timedelta(seconds=1))
    run_id = create_run(api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": when}})
    assert read(api, run_id)["next_scheduled_start_time"] == when
    propose(api, run_id, "PENDING")
    run = read(api, run_id)
    assert run["next_scheduled_start_time"] is None
    assert run["expected_start_time"] == when


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


# --- subflows ----------------------------------------------------------------------------------


def test_subflow_states_name_the_parent_task_run_and_the_parent_follows(api):
    parent = TaskRunFactory()
    run_id = create_run(api, parent_task_run_id=str(parent.id))
    response = propose(api, run_id, "RUNNING")
    assert response.json()["state"]["state_details"]["task_run_id"] == str(parent.id)
    parent.refresh_from_db()
    assert parent.state_type == "RUNNING"
    assert parent.state.state_details["child_flow_run_id"] == run_id


# --- more deployment slots ---------------------------------------------------------------------


def test_renaming_pending_keeps_the_lease(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    lease_id = propose(api, run_id, "PENDING").json()["state"]["state_details"][LEASE]
    response = propose(api, run_id, "PENDING", name="Submitting", state_details={LEASE: None})
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["state_details"][LEASE] == lease_id
    assert leases(deployment) == 1


@pytest.mark.parametrize(
    ("path", "release_on"),
    [
        (["PENDING", "SCHEDULED"], "SCHEDULED"),
        (["PENDING", "RUNNING", "PAUSED"], "PAUSED"),
        (["PENDING", "RUNNING", "CANCELLING", "CANCELLED"], "CANCELLED"),
        (["PENDING", "RUNNING", "CRASHED"], "CRASHED"),
    ],
)
def test_slot_is_held_until_the_run_leaves_pending_running_and_cancelling(api, path, release_on):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    for state_type in path:
        assert propose(api, run_id, state_type).json()["status"] == "ACCEPT", state_type
        assert leases(deployment) == (0 if state_type == release_on else 1), state_type


def test_forced_exit_from_running_releases_the_slot(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    propose(api, run_id, "PENDING")
    propose(api, run_id, "RUNNING")
    set_state(api, run_id, {"type": "COMPLETED"}, force=True)
    assert leases(deployment) == 0


def test_automatic_retry_releases_the_slot(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment, empirical_policy={"retries": 1, "retry_delay": 0})
    propose(api, run_id, "PENDING")
    propose(api, run_id, "RUNNING")
    response = propose(api, run_id, "FAILED")
    assert response.json()["state"]["name"] == "AwaitingRetry"
    assert leases(deployment) == 0


def test_pausing_a_paused_run_is_refused(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "PAUSED")
    response = propose(api, run_id, "PAUSED")
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert (
        response.json()["details"]["reason"] == "Cannot pause flows that are not currently running."
    )


@pytest.mark.parametrize("proposed", ["CRASHED", "PAUSED", "CANCELLING"])
def test_finished_runs_cannot_crash_pause_or_cancel(api, proposed):
    run_id = create_run(api, state={"type": "COMPLETED"})
    response = propose(api, run_id, proposed)
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == "Run is already in terminal state COMPLETED."


def test_pending_run_waits_for_the_scheduled_time_it_inherited(api):
    scheduled = now() + timedelta(seconds=60)
    run_id = create_run(
        api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": iso(scheduled)}}
    )
    pending = propose(api, run_id, "PENDING")
    assert pending.json()["status"] == "ACCEPT"
    assert pending.json()["state"]["state_details"]["scheduled_time"] == iso(scheduled)
    response = propose(api, run_id, "RUNNING")
    assert response.json()["status"] == "WAIT"
    assert 58 <= response.json()["details"]["delay_seconds"] <= 60


def test_run_that_got_a_slot_after_waiting_still_waits_for_its_new_time(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, first, "PENDING")
    assert propose(api, second, "PENDING").json()["state"]["name"] == "AwaitingConcurrencySlot"
    propose(api, first, "CANCELLED")
    assert propose(api, second, "PENDING").json()["status"] == "ACCEPT"

    response = propose(api, second, "RUNNING")

    assert response.json()["status"] == "WAIT"
    assert 28 <= response.json()["details"]["delay_seconds"] <= 30
