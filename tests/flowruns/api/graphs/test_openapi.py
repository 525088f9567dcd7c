"""The graph routes in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import FlowRunFactory

from .helpers import DEPENDENCY_KEYS, graph, task

pytestmark = pytest.mark.django_db


def test_graphs_are_documented_field_for_field(api):
    schema = api.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    def documented(path: str) -> dict[str, Any]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        node = content["application/json"]["schema"]
        while "$ref" in node:
            node = components[node["$ref"].split("/")[-1]]
        return node

    flow_run = FlowRunFactory()
    task(flow_run, 1)
    v2 = documented("/api/flow_runs/{id}/graph-v2")
    assert list(v2["properties"]) == list(graph(api, flow_run))
    v1 = documented("/api/flow_runs/{id}/graph")
    item = v1["items"]
    while "$ref" in item:
        item = components[item["$ref"].split("/")[-1]]
    assert list(item["properties"]) == DEPENDENCY_KEYS
