"""Run input sent with a resume: validated against the pause's input schema, stored as the
response when the resume is accepted (api.md §6.9.1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import FlowRunInput
from tests.flowruns.api.set_state.helpers import iso

from .helpers import (
    APPROVAL_SCHEMA,
    KEYSET,
    add_input,
    assert_rejected_with_paused_state,
    paused_run,
    read,
    resume,
)

pytestmark = pytest.mark.django_db


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


def test_run_input_must_be_an_object(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    response = resume(api, run_id, {"run_input": ["approved"]})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"][:2] == ["body", "run_input"]
    assert read(api, run_id)["state_type"] == "PAUSED"


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


def test_empty_input_resumes_without_storing_a_response(api):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps({"type": "object"}))
    response = resume(api, run_id, {"run_input": {}})
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}").status_code == 404
