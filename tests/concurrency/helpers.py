"""Calls of the concurrency-limit routes, as the client makes them."""

from __future__ import annotations

import uuid

V2 = "/api/v2/concurrency_limits"
V1 = "/api/concurrency_limits"


def post(api, path: str, body: dict | None = None):
    return api.post(path, body if body is not None else {}, format="json")


def create(api, name: str = "db", limit: int = 2, **fields):
    response = post(api, f"{V2}/", {"name": name, "limit": limit, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def acquire(api, names: list[str], slots: int = 1, **fields):
    body = {"names": names, "slots": slots, "mode": "concurrency", "lease_duration": 60}
    holder = {"type": "task_run", "id": str(uuid.uuid4())}
    return post(api, f"{V2}/increment-with-lease", {"holder": holder, **body, **fields})


def release(api, lease_id: str):
    return post(api, f"{V2}/decrement-with-lease", {"lease_id": lease_id})


def read(api, name: str) -> dict:
    response = api.get(f"{V2}/{name}")
    assert response.status_code == 200, response.content
    return response.json()
