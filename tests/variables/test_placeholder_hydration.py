"""`{"__prefect_kind": "workspace_variable"}` in resume input reads the variable table
(api.md §6.9.1, concurrency.md §6.4)."""

from __future__ import annotations

import json

import pytest

from tests.flowruns.api.resume.helpers import KEYSET, add_input, paused_run, resume

from .helpers import created

pytestmark = pytest.mark.django_db


def placeholder(name):
    return {"__prefect_kind": "workspace_variable", "variable_name": name}


def resumed_with(api, run_input):
    run_id = paused_run(api, run_input_keyset=KEYSET)
    add_input(api, run_id, KEYSET["schema"], json.dumps({"type": "object"}))
    response = resume(api, run_id, {"run_input": run_input})
    stored = api.get(f"/api/flow_runs/{run_id}/input/{KEYSET['response']}")
    return response.json(), stored


def test_a_stored_variable_replaces_its_placeholder(api):
    created(api, "threshold", {"max": 3, "names": ["a"]})
    outcome, stored = resumed_with(api, {"limit": placeholder("threshold"), "keep": 1})
    assert outcome["status"] == "ACCEPT", outcome
    assert stored.content == b'{"limit":{"max":3,"names":["a"]},"keep":1}'


def test_a_variable_holding_null_gives_null_not_an_error(api):
    created(api, "empty", None)
    outcome, stored = resumed_with(api, {"x": placeholder("empty")})
    assert outcome["status"] == "ACCEPT", outcome
    assert stored.content == b'{"x":null}'


def test_the_current_value_is_read_at_resume_time(api):
    created(api, "mode", "old")
    api.patch("/api/variables/name/mode", {"value": "new"}, format="json")
    outcome, stored = resumed_with(api, {"x": placeholder("mode")})
    assert outcome["status"] == "ACCEPT", outcome
    assert stored.content == b'{"x":"new"}'


def test_a_placeholder_stored_inside_a_variable_is_not_expanded(api):
    created(api, "raw", {"__prefect_kind": "json", "value": "[1]"})
    outcome, stored = resumed_with(api, {"x": placeholder("raw")})
    assert outcome["status"] == "ACCEPT", outcome
    assert json.loads(stored.content) == {"x": {"__prefect_kind": "json", "value": "[1]"}}


def test_a_missing_variable_still_rejects_the_resume(api):
    created(api, "present")
    outcome, _ = resumed_with(api, {"x": placeholder("absent")})
    assert outcome["status"] == "REJECT"
    assert outcome["details"]["reason"] == (
        "Error hydrating run input: Variable 'absent' not found in workspace."
    )


def test_a_deleted_variable_is_missing(api):
    created(api, "gone")
    api.delete("/api/variables/name/gone")
    outcome, _ = resumed_with(api, {"x": placeholder("gone")})
    assert outcome["status"] == "REJECT"
