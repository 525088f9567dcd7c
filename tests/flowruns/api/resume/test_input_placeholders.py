"""`__prefect_kind` placeholders in run input are hydrated before validation (api.md §6.9.1)."""

from __future__ import annotations

import json

import pytest

from .helpers import KEYSET, add_input, assert_rejected_with_paused_state, paused_run, read, resume

pytestmark = pytest.mark.django_db


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
