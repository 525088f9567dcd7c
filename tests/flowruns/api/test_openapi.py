"""The OpenAPI document describes the bodies the routes really return."""

import pytest

from tests.factories import FlowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def response_schema(schema, path, method, status):
    content = schema["paths"][path][method]["responses"][str(status)]["content"]
    return resolve(schema, content["application/json"]["schema"])


def documented_keys(schema, path, method, status):
    return list(response_schema(schema, path, method, status)["properties"])


def test_schema_is_openapi_3_1_and_documents_each_collection_route_once(schema):
    assert schema["openapi"].startswith("3.1")
    assert "/api/flow_runs/" in schema["paths"]
    assert "/api/flow_runs" not in schema["paths"]


def test_flow_run_response_is_documented_field_for_field(api, schema):
    created = api.post("/api/flow_runs/", {"flow_id": str(FlowFactory().id)}, format="json")
    assert documented_keys(schema, "/api/flow_runs/", "post", 201) == list(created.json())
    state = resolve(
        schema,
        response_schema(schema, "/api/flow_runs/", "post", 201)["properties"]["state"]["anyOf"][0],
    )
    assert list(state["properties"]) == list(created.json()["state"])


def test_flow_response_is_documented(api, schema):
    created = api.post("/api/flows/", {"name": "doc"}, format="json").json()
    assert documented_keys(schema, "/api/flows/", "post", 201) == list(created)


def test_orchestration_result_is_documented(api, schema):
    run = api.post("/api/flow_runs/", {"flow_id": str(FlowFactory().id)}, format="json").json()
    body = {"state": {"type": "RUNNING"}}
    result = api.post(f"/api/flow_runs/{run['id']}/set_state", body, format="json").json()
    path = "/api/flow_runs/{id}/set_state"
    assert documented_keys(schema, path, "post", 201) == list(result)


def test_paginate_response_is_documented(api, schema):
    page = api.post("/api/flow_runs/paginate").json()
    assert documented_keys(schema, "/api/flow_runs/paginate", "post", 200) == list(page)


def test_request_bodies_are_documented(schema):
    create = schema["paths"]["/api/flow_runs/"]["post"]["requestBody"]["content"]
    body = resolve(schema, create["application/json"]["schema"])
    assert "flow_id" in body["required"]
    assert {"state", "idempotency_key", "parameters", "empirical_policy"} <= set(body["properties"])
    set_state = schema["paths"]["/api/flow_runs/{id}/set_state"]["post"]["requestBody"]
    body = resolve(schema, set_state["content"]["application/json"]["schema"])
    assert "state" in body["required"]


def test_rest_list_documents_its_filter_parameters(schema):
    params = {p["name"] for p in schema["paths"]["/api/flow_runs/"]["get"]["parameters"]}
    assert {"state_type", "tag", "flow", "limit", "offset"} <= params


def test_docs_page_is_served(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def request_keys(schema, path):
    content = schema["paths"][path]["post"]["requestBody"]["content"]
    body = resolve(schema, content["application/json"]["schema"])
    return list(body["properties"]), body.get("required", [])


@pytest.mark.parametrize("path", ["/api/flow_runs/{id}/set_state", "/api/task_runs/{id}/set_state"])
def test_set_state_body_is_documented_as_state_and_force_only(schema, path):
    assert request_keys(schema, path) == (["state", "force"], ["state"])


FLOW_RUN_FILTER_KEYS = [
    "flows",
    "flow_runs",
    "task_runs",
    "deployments",
    "work_pools",
    "work_pool_queues",
]


def test_bulk_bodies_document_every_filter_they_honour(schema):
    bulk_set_state = request_keys(schema, "/api/flow_runs/bulk_set_state")
    assert bulk_set_state == ([*FLOW_RUN_FILTER_KEYS, "state", "force", "limit"], ["state"])
    bulk_delete = request_keys(schema, "/api/flow_runs/bulk_delete")
    assert bulk_delete == ([*FLOW_RUN_FILTER_KEYS, "limit"], [])
