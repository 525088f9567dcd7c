"""Key/value inputs of a flow run: `/api/flow_runs/{id}/input...` (api.md §6.15-§6.18)."""

from __future__ import annotations

import json
import uuid

import pytest

from flowruns.models import FlowRunInput
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db

INPUT_KEYS = ["id", "created", "updated", "flow_run_id", "key", "value", "sender"]


@pytest.fixture
def run_id():
    return str(FlowRunFactory().id)


def create_input(api, run_id, key, value='"v"', **extra):
    return api.post(
        f"/api/flow_runs/{run_id}/input", {"key": key, "value": value, **extra}, format="json"
    )


def filter_inputs(api, run_id, **body):
    return api.post(f"/api/flow_runs/{run_id}/input/filter", body, format="json")


# --- create ------------------------------------------------------------------------------------


def test_create_answers_201_with_a_null_body_and_stores_the_input(api, run_id):
    response = create_input(api, run_id, "my-key-1", '{"a": 1}', sender="me")
    assert response.status_code == 201
    assert response.content == b"null"
    row = FlowRunInput.objects.get(flow_run_id=run_id)
    assert (row.key, row.value, row.sender) == ("my-key-1", '{"a": 1}', "me")


def test_create_ignores_unknown_keys_and_defaults_sender_to_null(api, run_id):
    response = create_input(api, run_id, "k", bogus=True)
    assert response.status_code == 201
    assert FlowRunInput.objects.get(flow_run_id=run_id).sender is None


def test_same_key_twice_is_a_409(api, run_id):
    assert create_input(api, run_id, "dup").status_code == 201
    response = create_input(api, run_id, "dup", '"other"')
    assert response.status_code == 409
    assert response.json() == {"detail": "A flow run input with this key already exists."}
    assert FlowRunInput.objects.get(flow_run_id=run_id, key="dup").value == '"v"'


def test_same_key_on_another_run_is_fine(api, run_id):
    other = str(FlowRunFactory().id)
    assert create_input(api, run_id, "shared").status_code == 201
    assert create_input(api, other, "shared").status_code == 201


def test_input_for_an_unknown_run_is_a_404(api):
    response = create_input(api, uuid.uuid4(), "k")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}


@pytest.mark.parametrize("key", ["Upper", "under_score", "sp ace", "dot.ted"])
def test_key_with_characters_other_than_lowercase_digits_and_dashes_is_a_422(api, run_id, key):
    response = create_input(api, run_id, key)
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"][:2] == ["body", "key"]
    assert not FlowRunInput.objects.exists()


def test_empty_key_is_allowed(api, run_id):
    assert create_input(api, run_id, "").status_code == 201
    assert FlowRunInput.objects.filter(flow_run_id=run_id, key="").exists()


@pytest.mark.parametrize("value", [42, {"a": 1}, ["x"]])
def test_value_must_be_a_json_string(api, run_id, value):
    response = create_input(api, run_id, "k", value)
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == "bytes_type"
    assert error["loc"] == ["body", "value"]


@pytest.mark.parametrize("missing", ["key", "value"])
def test_key_and_value_are_required(api, run_id, missing):
    body = {"key": "k", "value": '"v"'}
    del body[missing]
    response = api.post(f"/api/flow_runs/{run_id}/input", body, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "missing"
    assert response.json()["exception_detail"][0]["loc"] == ["body", missing]


# --- read --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ['"quoted"', '{"a":1}', '{ "spaced" : [1, 2] }', "plain ünïcode ✓"]
)
def test_read_returns_the_stored_text_verbatim(api, run_id, value):
    create_input(api, run_id, "raw", value)
    response = api.get(f"/api/flow_runs/{run_id}/input/raw")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == value.encode("utf-8")


def test_read_missing_input_is_a_404(api, run_id):
    response = api.get(f"/api/flow_runs/{run_id}/input/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run input not found"}


def test_read_does_not_see_inputs_of_other_runs(api, run_id):
    create_input(api, run_id, "mine")
    other = str(FlowRunFactory().id)
    assert api.get(f"/api/flow_runs/{other}/input/mine").status_code == 404


# --- filter ------------------------------------------------------------------------------------


def test_filter_returns_the_first_matching_input_by_default(api, run_id):
    for key in ("paused-1-schema", "paused-1-response", "other-1"):
        create_input(api, run_id, key, json.dumps(key), sender="s")
    response = filter_inputs(api, run_id, prefix="paused-1")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 1
    assert list(rows[0]) == INPUT_KEYS
    assert rows[0]["key"] == "paused-1-schema"
    assert rows[0]["value"] == '"paused-1-schema"'
    assert rows[0]["sender"] == "s"
    assert rows[0]["flow_run_id"] == run_id


def test_filter_orders_by_creation_and_honours_limit_and_exclusions(api, run_id):
    for key in ("a-3", "a-1", "a-2", "b-1"):
        create_input(api, run_id, key)
    keys = [row["key"] for row in filter_inputs(api, run_id, prefix="a", limit=10).json()]
    assert keys == ["a-3", "a-1", "a-2"]
    keys = [row["key"] for row in filter_inputs(api, run_id, prefix="a", limit=2).json()]
    assert keys == ["a-3", "a-1"]
    excluded = filter_inputs(api, run_id, prefix="a", limit=10, exclude_keys=["a-1", "a-3"])
    assert [row["key"] for row in excluded.json()] == ["a-2"]


def test_filter_with_empty_prefix_matches_every_key(api, run_id):
    for key in ("x", "y"):
        create_input(api, run_id, key)
    assert len(filter_inputs(api, run_id, prefix="", limit=5).json()) == 2


def test_filter_on_an_unknown_run_is_an_empty_list(api):
    response = filter_inputs(api, uuid.uuid4(), prefix="a")
    assert response.status_code == 200
    assert response.json() == []


def test_filter_needs_a_prefix(api, run_id):
    response = filter_inputs(api, run_id, limit=3)
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "prefix"]


# --- delete ------------------------------------------------------------------------------------


def test_delete_removes_the_input_then_reports_it_missing(api, run_id):
    create_input(api, run_id, "gone")
    response = api.delete(f"/api/flow_runs/{run_id}/input/gone")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/api/flow_runs/{run_id}/input/gone").status_code == 404
    again = api.delete(f"/api/flow_runs/{run_id}/input/gone")
    assert again.status_code == 404
    assert again.json() == {"detail": "Flow run input not found"}


def test_deleting_the_run_deletes_its_inputs(api, run_id):
    create_input(api, run_id, "k")
    assert api.delete(f"/api/flow_runs/{run_id}").status_code == 204
    assert not FlowRunInput.objects.exists()


def test_filter_prefix_is_a_sql_like_pattern(api, run_id):
    for key in ("abc-1", "axc-2", "b-1"):
        create_input(api, run_id, key)
    underscore = filter_inputs(api, run_id, prefix="a_c", limit=10).json()
    assert [row["key"] for row in underscore] == ["abc-1", "axc-2"]
    percent = filter_inputs(api, run_id, prefix="%1", limit=10).json()
    assert [row["key"] for row in percent] == ["abc-1", "b-1"]


def test_filter_with_a_negative_limit_does_not_fail(api, run_id):
    for key in ("a-1", "a-2"):
        create_input(api, run_id, key)
    response = filter_inputs(api, run_id, prefix="a", limit=-1)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert [row["key"] for row in response.json()] == ["a-1", "a-2"]
