"""The concurrency-slot routes tagged tasks need: always granted, since no limits exist."""

from __future__ import annotations

import uuid

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

V2 = "/v2/concurrency_limits"


def lease_body(**overrides):
    body = {
        "names": ["tag:db"],
        "slots": 1,
        "mode": "concurrency",
        "lease_duration": 60,
        "holder": {"type": "task_run", "id": str(uuid.uuid4())},
    }
    return body | overrides


def test_increment_with_lease_grants_a_lease_over_no_limits(rest):
    reply = rest.call("POST", f"{V2}/increment-with-lease", lease_body())
    assert reply.status == 200
    assert set(reply.body) == {"lease_id", "limits"}
    assert uuid.UUID(reply.body["lease_id"])
    assert reply.body["limits"] == []
    again = rest.post(f"{V2}/increment-with-lease", lease_body())
    assert again["lease_id"] != reply.body["lease_id"]


@pytest.mark.parametrize(
    ("overrides", "error", "loc"),
    [
        ({"slots": 0}, "greater_than", ["body", "slots"]),
        ({"names": []}, "too_short", ["body", "names"]),
        ({"lease_duration": 10}, "greater_than_equal", ["body", "lease_duration"]),
        ({"mode": "fast"}, "literal_error", ["body", "mode"]),
        ({"holder": {"type": "robot", "id": str(uuid.uuid4())}}, "literal_error", None),
    ],
)
def test_increment_with_lease_validates_like_prefect(rest, overrides, error, loc):
    reply = rest.call("POST", f"{V2}/increment-with-lease", lease_body(**overrides))
    assert reply.status == 422
    assert reply.body["exception_message"] == "Invalid request received."
    detail = reply.body["exception_detail"][0]
    assert detail["type"] == error
    if loc is not None:
        assert detail["loc"] == loc


def test_release_and_renew_of_a_lease_succeed(rest):
    lease_id = rest.post(f"{V2}/increment-with-lease", lease_body())["lease_id"]
    assert rest.call("POST", f"{V2}/leases/{lease_id}/renew", {"lease_duration": 60}).status == 204
    assert rest.call("POST", f"{V2}/decrement-with-lease", {"lease_id": lease_id}).status == 204
    assert rest.call("POST", f"{V2}/decrement-with-lease", {}).status == 422


def test_increment_and_decrement_without_lease_touch_no_limits(rest):
    assert rest.post(f"{V2}/increment", {"names": ["tag:db"], "slots": 1}) == []
    body = {"names": ["tag:db"], "slots": 1, "occupancy_seconds": 1.5}
    assert rest.post(f"{V2}/decrement", body) == []


def test_concurrency_routes_are_documented(rest):
    paths = rest.get("/schema/?format=json")["paths"]
    for route in (
        "increment-with-lease",
        "decrement-with-lease",
        "leases/{lease_id}/renew",
        "increment",
        "decrement",
    ):
        assert f"/api{V2}/{route}" in paths
