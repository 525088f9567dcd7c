"""The OpenAPI document lists the keys the work-pool routes really answer with."""

from __future__ import annotations

import pytest

from tests.flowruns.api.test_openapi import documented_keys

from .helpers import pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    return api.get("/api/schema/?format=json").json()


def test_pool_queue_and_worker_bodies_are_documented(api, schema):
    created = pool(api, "p1")
    assert documented_keys(schema, "/api/work_pools/", "post", 201) == list(created)
    queue = api.get("/api/work_pools/p1/queues/default").json()
    path = "/api/work_pools/{work_pool_name}/queues/{name}"
    assert documented_keys(schema, path, "get", 200) == list(queue)
    assert documented_keys(schema, "/api/work_queues/{id}/status", "get", 200) == list(
        api.get(f"/api/work_queues/{queue['id']}/status").json()
    )
    assert "/api/work_pools" not in schema["paths"]
