from __future__ import annotations

from typing import Any

PROCESS_TEMPLATE = {
    "job_configuration": {
        "command": "{{ command }}",
        "env": "{{ env }}",
        "labels": "{{ labels }}",
        "name": "{{ name }}",
        "stream_output": "{{ stream_output }}",
        "working_dir": "{{ working_dir }}",
    },
    "variables": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "env": {"type": "object", "additionalProperties": {"type": "string"}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "command": {"type": "string"},
            "stream_output": {"type": "boolean", "default": True},
            "working_dir": {"anyOf": [{"type": "string", "format": "path"}, {"type": "null"}]},
        },
    },
}


def pool(api: Any, name: str = "p1", **extra: Any) -> dict[str, Any]:
    response = api.post(
        "/api/work_pools/", {"name": name, "type": "process", **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def queue(api: Any, pool_name: str, name: str, **extra: Any) -> dict[str, Any]:
    response = api.post(
        f"/api/work_pools/{pool_name}/queues", {"name": name, **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def priorities(api: Any, pool_name: str) -> dict[str, int]:
    response = api.post(f"/api/work_pools/{pool_name}/queues/filter", {}, format="json")
    assert response.status_code == 200, response.content
    return {q["name"]: q["priority"] for q in response.json()}


def errors(response: Any) -> list[tuple[str, list[Any], str]]:
    assert response.status_code == 422, response.content
    return [(e["type"], e["loc"], e["msg"]) for e in response.json()["exception_detail"]]
