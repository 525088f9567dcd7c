from __future__ import annotations

from typing import Any


def create(api: Any, name: str, value: Any = "v", **extra: Any) -> Any:
    return api.post("/api/variables/", {"name": name, "value": value, **extra}, format="json")


def created(api: Any, name: str, value: Any = "v", **extra: Any) -> dict[str, Any]:
    response = create(api, name, value, **extra)
    assert response.status_code == 201, response.content
    return response.json()


def errors(response: Any) -> list[tuple[str, list[Any], str]]:
    """The (type, loc, msg) of each entry of a 422 validation body."""
    assert response.status_code == 422, response.content
    return [(e["type"], e["loc"], e["msg"]) for e in response.json()["exception_detail"]]
