"""`POST /api/flow_runs/{id}/resume` (api.md §6.9, §6.9.1; orchestration.md §2.8, R12)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import FlowRunInput
from tests.factories import DeploymentFactory, FlowFactory, FlowRunFactory

pytestmark = pytest.mark.django_db

KEYSET = {
    "description": "paused-1-description",
    "response": "paused-1-response",
    "schema": "paused-1-schema",
}
APPROVAL_SCHEMA = {
    "title": "Approval",
    "type": "object",
    "properties": {"approved": {"title": "Approved", "type": "boolean"}},
    "required": ["approved"],
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def create_run(api, state=None, **body) -> str:
    body.setdefault("flow_id", str(FlowFactory().id))
    if state is not None:
        body["state"] = state
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def set_state(api, run_id, state_type, force=False, **state):
    body = {"state": {"type": state_type, **state}, "force": force}
    return api.post(f"/api/flow_runs/{run_id}/set_state", body, format="json")


def paused_run(api, deployment=None, name="Paused", **details) -> str:
    """A RUNNING run (with the deployment, if given) paused through set_state."""
    extra = {}
    if deployment is not None:
        extra = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    run_id = create_run(api, state={"type": "RUNNING"}, **extra)
    response = set_state(api, run_id, "PAUSED", name=name, state_details=details)
    assert response.json()["status"] == "ACCEPT", response.json()
    return run_id


def add_input(api, run_id, key, value: str):
    response = api.post(
        f"/api/flow_runs/{run_id}/input", {"key": key, "value": value}, format="json"
    )
    assert response.status_code == 201


def resume(api, run_id, body=None, **headers):
    return api.post(f"/api/flow_runs/{run_id}/resume", body or {}, format="json", **headers)


def read(api, run_id) -> dict:
    return api.get(f"/api/flow_runs/{run_id}").json()


def states(api, run_id) -> list[dict]:
    return api.get(f"/api/flow_run_states/?flow_run_id={run_id}").json()


def assert_rejected_with_paused_state(api, run_id, response, reason):
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"] == {"type": "abort_details", "reason": reason}
    run = read(api, run_id)
    assert run["state_type"] == "PAUSED"
    assert body["state"] == run["state"]


# --- runs that cannot be resumed ---------------------------------------------------------------


@pytest.mark.parametrize("state_type", ["RUNNING", "SCHEDULED", "COMPLETED"])
def test_resuming_a_run_that_is_not_paused_is_aborted_without_state(api, state_type):
    run_id = create_run(api, state={"type": state_type})
    response = resume(api, run_id)
    assert response.status_code == 200
    assert response.json() == {
        "state": None,
        "status": "ABORT",
        "details": {
            "type": "abort_details",
            "reason": "Cannot resume a flow run that is not paused.",
        },
    }
    assert read(api, run_id)["state_type"] == state_type


def test_resuming_a_run_without_any_state_is_aborted(api):
    run_id = FlowRunFactory(flow=FlowFactory()).id
    response = resume(api, run_id)
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["state"] is None


def test_resuming_an_unknown_run_is_a_404(api):
    response = resume(api, uuid.uuid4())
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}


# --- blocking pauses and suspensions -----------------------------------------------------------


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


# --- run input ---------------------------------------------------------------------------------


def test_run_input_without_a_keyset_is_ignored(api):
    run_id = paused_run(api)
    response = resume(api, run_id, {"run_input": {"approved": "anything"}})
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert FlowRunInput.objects.filter(flow_run_id=run_id).count() == 0


def test_missing_input_schema_rejects_the_resume(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    response = resume(api, run_id, {"run_input": {"approved": True}})
    assert_rejected_with_paused_state(api, run_id, response, "Run input schema not found.")


def test_input_schema_that_is_not_json_rejects_the_resume(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], "{this is not json")
    response = resume(api, run_id, {"run_input": {"approved": True}})
    assert_rejected_with_paused_state(api, run_id, response, "Run input schema is not valid JSON.")


def test_input_of_the_wrong_type_rejects_the_resume(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps(APPROVAL_SCHEMA))
    response = resume(api, run_id, {"run_input": {"approved": "not a bool!"}})
    assert_rejected_with_paused_state(
        api,
        run_id,
        response,
        "Reason: Validation failed for field 'approved'. "
        "Failure reason: 'not a bool!' is not of type 'boolean'",
    )
    assert not FlowRunInput.objects.filter(flow_run_id=run_id, key=KEYSET["response"]).exists()


@pytest.mark.parametrize("body", [{"run_input": {}}, {"run_input": None}, {}])
def test_missing_required_input_rejects_the_resume(api, body):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps(APPROVAL_SCHEMA))
    response = resume(api, run_id, body)
    assert_rejected_with_paused_state(
        api,
        run_id,
        response,
        "Reason: Validation failed. Failure reason: 'approved' is a required property",
    )


def test_valid_input_resumes_the_run_and_is_stored_as_the_response(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps(APPROVAL_SCHEMA))

    response = resume(api, run_id, {"run_input": {"approved": True}})

    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["type"] == "RUNNING"
    stored = api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}")
    assert stored.status_code == 200
    assert stored["Content-Type"] == "text/plain; charset=utf-8"
    assert stored.content == b'{"approved":true}'


def test_json_placeholders_are_parsed_before_validation(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    schema = {"type": "object", "properties": {"payload": {"type": "object"}}}
    add_input(api, run_id, KEYSET["schema"], json.dumps(schema))

    response = resume(
        api,
        run_id,
        {"run_input": {"payload": {"__prefect_kind": "json", "value": '{"a": 1}'}}},
    )

    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    stored = api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}")
    assert stored.content == b'{"payload":{"a":1}}'


def test_invalid_json_placeholder_rejects_the_resume(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps({"type": "object"}))
    response = resume(
        api, run_id, {"run_input": {"payload": {"__prefect_kind": "json", "value": "{nope"}}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"]["type"] == "abort_details"
    assert body["details"]["reason"].startswith("Error hydrating run input: Invalid JSON")
    assert body["state"]["type"] == "PAUSED"
    assert read(api, run_id)["state_type"] == "PAUSED"


def test_jinja_placeholders_are_rendered(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    add_input(api, run_id, KEYSET["schema"], json.dumps(schema))

    response = resume(
        api,
        run_id,
        {"run_input": {"answer": {"__prefect_kind": "jinja", "template": "{{ 2 + 2 }}"}}},
    )

    assert response.json()["status"] == "ACCEPT"
    stored = api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}")
    assert stored.content == b'{"answer":"4"}'


def test_rejected_resume_stores_no_input_even_when_valid(api):
    """A valid input on a pause that timed out: the run fails and no response is stored."""
    past = iso(datetime.now(UTC) - timedelta(minutes=5))
    run_id = paused_run(api, run_input_keyset=KEYSET, pause_timeout=past)
    add_input(api, run_id, KEYSET["schema"], json.dumps(APPROVAL_SCHEMA))
    response = resume(api, run_id, {"run_input": {"approved": True}})
    assert response.status_code == 201
    assert response.json()["status"] == "REJECT"
    assert response.json()["state"]["type"] == "FAILED"
    missing = api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}")
    assert missing.status_code == 404


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


def test_run_input_must_be_an_object(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    response = resume(api, run_id, {"run_input": ["approved"]})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"][:2] == ["body", "run_input"]
    assert read(api, run_id)["state_type"] == "PAUSED"


def test_unknown_body_keys_are_ignored(api):
    run_id = paused_run(api)
    response = resume(api, run_id, {"bogus": 1})
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"


def test_schema_with_circular_references_rejects_the_resume(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    city = {
        "title": "City",
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
        "allOf": [{"$ref": "#/definitions/City"}],  # City refers to itself
    }
    schema = {
        "type": "object",
        "properties": {"city": {"$ref": "#/definitions/City"}},
        "definitions": {"City": city},
    }
    add_input(api, run_id, KEYSET["schema"], json.dumps(schema))
    response = resume(api, run_id, {"run_input": {"city": "maybe a city"}})
    assert_rejected_with_paused_state(
        api, run_id, response, "Invalid schema: Unable to validate schema with circular references."
    )


@pytest.mark.parametrize(
    ("placeholder", "stored"),
    [
        ({"__prefect_kind": "json"}, b"{}"),  # no value: the key goes away
        ({"__prefect_kind": "json", "value": 7}, b'{"x":7}'),  # non-strings pass through
        ({"__prefect_kind": "none", "value": "as is"}, b'{"x":"as is"}'),
        ({"__prefect_kind": "mystery", "value": [1]}, b'{"x":[1]}'),  # unknown kind → its value
        ({"__prefect_kind": "mystery"}, b'{"x":null}'),
    ],
)
def test_other_placeholders_are_hydrated(api, placeholder, stored):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps({"type": "object"}))
    response = resume(api, run_id, {"run_input": {"x": placeholder}})
    assert response.json()["status"] == "ACCEPT", response.json()
    assert api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}").content == stored


@pytest.mark.parametrize(
    ("placeholder", "reason"),
    [
        ({"__prefect_kind": "jinja"}, "Missing 'template' key in __prefect object"),
        ({"__prefect_kind": "none"}, "Missing 'value' key in __prefect object"),
        (
            {"__prefect_kind": "workspace_variable", "variable_name": "nope"},
            "Variable 'nope' not found in workspace.",
        ),
    ],
)
def test_placeholder_errors_reject_the_resume(api, placeholder, reason):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps({"type": "object"}))
    response = resume(api, run_id, {"run_input": {"x": placeholder}})
    assert_rejected_with_paused_state(api, run_id, response, f"Error hydrating run input: {reason}")


def test_invalid_jinja_rejects_the_resume(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps({"type": "object"}))
    placeholder = {"__prefect_kind": "jinja", "template": "{{ 2 + }}"}
    response = resume(api, run_id, {"run_input": {"x": placeholder}})
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"].startswith(
        "Error hydrating run input: Invalid jinja"
    )


def test_empty_input_resumes_without_storing_a_response(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps({"type": "object"}))
    response = resume(api, run_id, {"run_input": {}})
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}").status_code == 404
