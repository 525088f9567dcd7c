"""`POST /api/flow_runs/{id}/set_state`: Request validation and request shapes of set_state."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.flowruns.api.set_state.helpers import (
    DETAIL_KEYS,
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


def test_filter_keys_are_not_set_state_parameters(api):
    # `flows` is no parameter of set_state: like any unknown top-level key it is ignored,
    # even when it would not be a valid filter.
    run_id = create_run(api)
    response = api.post(
        f"/api/flow_runs/{run_id}/set_state",
        {"state": {"type": "RUNNING"}, "flows": {"not_a_filter_key": 1}},
        format="json",
    )
    assert response.status_code == 201
    assert read(api, run_id)["state_type"] == "RUNNING"


def test_a_non_object_body_reports_state_and_force_missing(api):
    run_id = create_run(api)
    response = api.post(f"/api/flow_runs/{run_id}/set_state", [1], format="json")
    assert response.status_code == 422
    errors = response.json()["exception_detail"]
    assert [(e["type"], e["loc"]) for e in errors] == [
        ("missing", ["body", "state"]),
        ("missing", ["body", "force"]),
    ]
