from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import FlowFactory

SCHEMA = {
    "title": "Parameters",
    "type": "object",
    "properties": {
        "name": {"default": "world", "position": 0, "title": "name", "type": "string"},
        "n": {"default": 1, "position": 1, "title": "n", "type": "integer"},
    },
}


def deployment_body(flow_id: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "served",
        "flow_id": str(flow_id),
        "schedules": [],
        "parameter_openapi_schema": SCHEMA,
        "parameters": {"name": "srv"},
        "tags": ["s"],
        "labels": {},
        "path": ".",
        "entrypoint": "flows.py:hello",
    }
    body.update(overrides)
    return body


@pytest.fixture
def flow(db: None) -> Any:
    return FlowFactory(name="hello")


@pytest.fixture
def create(api: APIClient, flow: Any) -> Any:
    def make(**overrides: Any) -> dict[str, Any]:
        response = api.post(
            "/api/deployments/", deployment_body(flow.id, **overrides), format="json"
        )
        assert response.status_code in (200, 201), response.json()
        return response.json()

    return make
