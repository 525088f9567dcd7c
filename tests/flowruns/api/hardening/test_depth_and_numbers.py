"""Deep JSON, non-finite numbers and integers beyond their bounds are 422s, never a 500."""

# Raw bodies are written as JSON text, with %-templates (braces everywhere).
# ruff: noqa: UP031

from __future__ import annotations

import pytest

from flowruns.api.schemas.bounds import MAX_INTEGER
from flowruns.api.wire.json_input import MAX_JSON_DEPTH
from tests.factories import FlowFactory

from .helpers import detail, send, stored_rows

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 10_000, 200_000])
def test_json_nested_deeper_than_the_limit_is_refused(api, depth):
    flow = FlowFactory()
    before = stored_rows()
    body = '{"flow_id": "%s", "parameters": {"p": %s}}' % (flow.id, nested(depth))
    response = send(api, "POST", "/api/flow_runs/", body)
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["type"] == "json_invalid"
    assert f"deeper than {MAX_JSON_DEPTH} levels" in error["ctx"]["error"]
    assert response.json()["request_body"] is None
    assert stored_rows() == before


def test_json_at_the_depth_limit_is_stored(api):
    flow = FlowFactory()
    # the body object and `parameters` are two levels
    body = '{"flow_id": "%s", "parameters": {"p": %s}}' % (flow.id, nested(MAX_JSON_DEPTH - 2))
    response = send(api, "POST", "/api/flow_runs/", body)
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_numbers_are_refused_where_they_are(api, number):
    flow = FlowFactory()
    before = stored_rows()
    body = '{"flow_id": "%s", "parameters": {"list": [1, %s]}}' % (flow.id, number)
    response = send(api, "POST", "/api/flow_runs/", body)
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["type"] == "finite_number"
    assert error["loc"] == ["body", "parameters", "list", 1]
    # the echoed body stays valid JSON
    assert isinstance(response.json()["request_body"]["parameters"]["list"][1], str)
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/flow_runs/filter", "offset"),
        ("/api/flow_runs/paginate", "page"),
        ("/api/flows/filter", "offset"),
        ("/api/task_runs/filter", "offset"),
        ("/api/logs/filter", "offset"),
    ],
)
@pytest.mark.parametrize("value", [2**63, 10**30, MAX_INTEGER + 1])
def test_offsets_and_pages_beyond_the_bound_are_refused(api, path, key, value):
    response = send(api, "POST", path, '{"%s": %d}' % (key, value))
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body", key]
    assert error["type"] == "less_than_equal"


def test_offset_at_the_bound_is_an_empty_page(api):
    response = send(api, "POST", "/api/flow_runs/filter", '{"offset": %d}' % MAX_INTEGER)
    assert response.status_code == 200
    assert response.json() == []


def test_limit_beyond_64_bits_is_the_limit_rule(api):
    response = send(api, "POST", "/api/flow_runs/filter", '{"limit": %d}' % 10**30)
    assert response.status_code == 422
    assert response.json() == {"detail": "Invalid limit: must be less than or equal to 200."}


def test_a_rest_list_offset_beyond_the_bound_is_refused(api):
    response = api.get(f"/api/flow_runs/?offset={10**30}")
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["query", "offset"]
    assert api.get(f"/api/flows/?limit={10**30}").status_code == 200  # capped at the maximum
