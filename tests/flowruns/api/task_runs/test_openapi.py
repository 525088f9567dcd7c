"""The task-run routes in the OpenAPI schema."""

from __future__ import annotations

import pytest

from .helpers import new_task

pytestmark = pytest.mark.django_db


def test_task_run_response_is_documented_field_for_field(api):
    schema = api.get("/api/schema/?format=json").json()
    content = schema["paths"]["/api/task_runs/"]["post"]["responses"]["201"]["content"]
    ref = content["application/json"]["schema"]["$ref"].split("/")[-1]
    documented = schema["components"]["schemas"][ref]["properties"]
    assert list(documented) == list(new_task(api))
    assert "/api/task_runs" not in schema["paths"]
    request = schema["paths"]["/api/task_runs/"]["post"]["requestBody"]["content"]
    body_ref = request["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"task_key", "dynamic_key"} <= set(schema["components"]["schemas"][body_ref]["required"])
