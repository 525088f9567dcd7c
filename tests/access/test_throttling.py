"""Optional throttling: off by default; with API_THROTTLE_RATE each client (API key, else
address) gets that many requests, then 429 with Retry-After; health/ready are never throttled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from access.levels import Level

from .conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_off_by_default(api):
    assert all(api.get("/api/flows/").status_code == 200 for _ in range(30))


def test_over_the_rate_a_client_gets_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "3/min"
    assert [api.get("/api/flows/").status_code for _ in range(3)] == [200] * 3
    refused = api.post("/api/flows/filter", {}, format="json")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Request was throttled.")


def test_each_api_key_has_its_own_bucket(client_with, make_key, settings, keys_required):
    settings.API_THROTTLE_RATE = "2/min"
    alice = client_with(bearer(make_key("alice", Level.READ)))
    bob = client_with(bearer(make_key("bob", Level.READ)))
    assert [alice.get("/api/flows/").status_code for _ in range(3)] == [200, 200, 429]
    assert bob.get("/api/flows/").status_code == 200


def test_health_and_ready_are_never_throttled(api, settings):
    settings.API_THROTTLE_RATE = "1/min"
    assert {api.get("/api/health").status_code for _ in range(5)} == {200}
    assert {api.get("/api/ready").status_code for _ in range(5)} == {200}
