"""NUL characters and lone UTF-16 surrogates, which PostgreSQL cannot store, are refused with a
422 naming where they are: in any JSON string or key, query parameter or path parameter."""

# Raw bodies are written as JSON text, with %-templates (braces everywhere).
# ruff: noqa: UP031, E501

from __future__ import annotations

import pytest

from tests.factories import FlowFactory, FlowRunFactory

from .helpers import detail, send, stored_rows

pytestmark = pytest.mark.django_db

NUL = "\\u0000"  # as the JSON escape
SURROGATE = "\\ud800"


@pytest.fixture
def flow_id():
    return str(FlowFactory().id)


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
@pytest.mark.parametrize(
    ("template", "loc"),
    [
        ('{"flow_id": "%(flow)s", "name": "a%(bad)sb"}', ["body", "name"]),
        ('{"flow_id": "%(flow)s", "parameters": {"x": ["ok", "%(bad)s"]}}', ["body", "parameters", "x", 1]),
        ('{"flow_id": "%(flow)s", "context": {"deep": {"k": "%(bad)s"}}}', ["body", "context", "deep", "k"]),
        ('{"flow_id": "%(flow)s", "tags": ["%(bad)s"]}', ["body", "tags", 0]),
        ('{"flow_id": "%(flow)s", "labels": {"k": "v%(bad)s"}}', ["body", "labels", "k"]),
        ('{"flow_id": "%(flow)s", "state": {"type": "PENDING", "message": "%(bad)s"}}', ["body", "state", "message"]),
    ],
)  # fmt: skip
def test_a_flow_run_create_with_unstorable_text_is_refused_naming_the_field(
    api, flow_id, template, loc, bad
):
    before = stored_rows()
    response = send(api, "POST", "/api/flow_runs/", template % {"flow": flow_id, "bad": bad})
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == loc
    assert error["type"] == ("string_nul" if bad == NUL else "string_surrogate")
    assert stored_rows() == before


def test_a_json_key_with_a_nul_is_refused_and_named(api, flow_id):
    before = stored_rows()
    body = '{"flow_id": "%s", "parameters": {"a\\u0000b": 1}}' % flow_id
    response = send(api, "POST", "/api/flow_runs/", body)
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body", "parameters", "a\x00b"]
    assert "in an object key" in error["msg"]
    assert stored_rows() == before


def test_the_refusal_of_a_lone_surrogate_renders_it_replaced(api):
    response = send(api, "POST", "/api/flows/", '{"name": "x\\udc00y"}')
    assert response.status_code == 422
    assert detail(response)[0]["input"] == "x\ufffdy"
    assert response.json()["request_body"] == {"name": "x\ufffdy"}


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/api/flows/", '{"name": "f%s"}', ["body", "name"]),
        ("/api/flow_runs/filter", '{"flow_runs": {"name": {"any_": ["%s"]}}}', ["body", "flow_runs", "name", "any_", 0]),
        ("/api/flow_runs/count", '{"flows": {"name": {"like_": "%s"}}}', ["body", "flows", "name", "like_"]),
        ("/api/task_runs/filter", '{"task_runs": {"name": {"any_": ["%s"]}}}', ["body", "task_runs", "name", "any_", 0]),
        ("/api/logs/filter", '{"logs": {"text": {"query": "%s"}}}', ["body", "logs", "text", "query"]),
        ("/api/events/filter", '{"filter": {"event": {"name": ["%s"]}}}', ["body", "filter", "event", "name", 0]),
        ("/api/events", '[{"occurred": "2024-01-01T00:00:00Z", "event": "e%s", "resource": {"prefect.resource.id": "r"}, "id": "00000000-0000-4000-8000-000000000001"}]', ["body", 0, "event"]),
    ],
)  # fmt: skip
@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_every_body_route_refuses_unstorable_text(api, path, body, loc, bad):
    before = stored_rows()
    response = send(api, "POST", path, body % bad)
    assert response.status_code == 422, response.content
    assert detail(response)[0]["loc"] == loc
    assert stored_rows() == before


def test_state_message_and_data_of_set_state_are_checked(api):
    run = FlowRunFactory()
    states = run.states.count()
    for body, loc in [
        ('{"state": {"type": "RUNNING", "message": "\\u0000"}}', ["body", "state", "message"]),
        (
            '{"state": {"type": "RUNNING", "data": {"r": "\\ud800"}}}',
            ["body", "state", "data", "r"],
        ),
    ]:
        response = send(api, "POST", f"/api/flow_runs/{run.id}/set_state", body)
        assert response.status_code == 422
        assert detail(response)[0]["loc"] == loc
    assert run.states.count() == states


def test_logs_drop_nul_from_name_and_message_but_refuse_lone_surrogates(api):
    log = '{"name": "n\\u0000", "level": 20, "message": "%s", "timestamp": "2024-01-01T00:00:00Z"}'
    response = send(api, "POST", "/api/logs/", "[%s]" % (log % "m\\u0000x"))
    assert response.status_code == 201
    before = stored_rows()
    response = send(api, "POST", "/api/logs/", "[%s]" % (log % "m\\ud800"))
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["body", 0, "message"]
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("/api/flow_runs/?name=a%00b", ["query", "name"]),
        ("/api/flows/?tag=%00", ["query", "tag"]),
        ("/api/flows/name/a%00b", ["path", "name"]),
        ("/api/events/filter/next?page-token=%00", ["query", "page-token"]),
    ],
)
def test_query_and_path_parameters_with_nul_are_refused(api, path, loc):
    response = api.get(path)
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == loc
    assert error["type"] == "string_nul"
