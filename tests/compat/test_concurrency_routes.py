"""Concurrency limits against the real 3.8.8 client and CLI: tagged tasks under a limit of 1
never overlap and all complete, `rate_limit` spaces its calls by the limit's decay, and
`prefect concurrency-limit` manages tag limits. Plus the routes' validation, as Prefect's."""

from __future__ import annotations

import itertools
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


def test_tagged_tasks_under_a_limit_of_one_never_overlap_and_all_complete(prefect, rest, nonce):
    tag, rate = f"serial-{nonce}", f"rl-{nonce}"
    created = prefect.prefect("concurrency-limit", "create", tag, "1")
    assert created.returncode == 0, created.describe()
    rest.post(f"{V2}/", {"name": rate, "limit": 1, "slot_decay_per_second": 2.0})

    result = prefect.scenario("concurrency.py", tag, rate, timeout=180).result

    assert result["states"] == ["COMPLETED"] * 3
    spans = sorted(result["spans"], key=lambda span: span["start"])
    for earlier, later in itertools.pairwise(spans):
        assert later["start"] >= earlier["end"], spans
    # one slot, decaying at 2 per second: each call waits at least half a second
    calls = result["rate_limited"]
    assert all(b - a >= 0.45 for a, b in itertools.pairwise(calls)), calls
    assert rest.get(f"{V2}/tag:{tag}")["active_slots"] == 0
    holders = rest.get(f"/concurrency_limits/tag/{tag}")["active_slots"]
    assert holders == []


def test_the_cli_creates_lists_inspects_resets_and_deletes_a_tag_limit(prefect, rest, nonce):
    tag = f"cli-{nonce}"

    created = prefect.prefect("concurrency-limit", "create", tag, "2")
    listed = prefect.prefect("concurrency-limit", "ls")
    inspected = prefect.prefect("concurrency-limit", "inspect", tag)
    reset = prefect.prefect("concurrency-limit", "reset", tag)
    deleted = prefect.prefect("concurrency-limit", "delete", tag)
    missing = prefect.prefect("concurrency-limit", "inspect", tag)

    for done in (created, listed, inspected, reset, deleted):
        assert done.returncode == 0, done.describe()
    assert tag in listed.stdout
    assert tag in inspected.stdout
    assert missing.returncode != 0
    assert f"No concurrency limit found for the tag: {tag}" in missing.stdout + missing.stderr
    assert rest.call("GET", f"{V2}/tag:{tag}").status == 404


def test_increment_with_lease_over_unknown_names_grants_an_empty_lease(rest):
    reply = rest.call("POST", f"{V2}/increment-with-lease", lease_body())
    assert reply.status == 200
    assert reply.body["limits"] == []
    lease_id = reply.body["lease_id"]
    assert rest.call("POST", f"{V2}/leases/{lease_id}/renew", {"lease_duration": 60}).status == 204
    assert rest.call("POST", f"{V2}/decrement-with-lease", {"lease_id": lease_id}).status == 204


@pytest.mark.parametrize(
    ("overrides", "error", "loc"),
    [
        ({"slots": 0}, "greater_than", ["body", "slots"]),
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


def test_concurrency_routes_are_documented(rest):
    paths = rest.get("/schema/?format=json")["paths"]
    for route in (
        f"{V2}/",
        f"{V2}/filter",
        f"{V2}/{{id_or_name}}",
        f"{V2}/increment-with-lease",
        f"{V2}/decrement-with-lease",
        f"{V2}/leases/{{lease_id}}/renew",
        f"{V2}/increment",
        f"{V2}/decrement",
        "/concurrency_limits/",
        "/concurrency_limits/tag/{tag}",
        "/concurrency_limits/tag/{tag}/reset",
    ):
        assert f"/api{route}" in paths, route


def test_the_cli_manages_a_global_limit(prefect, rest, nonce):
    name = f"gcl-{nonce}"

    created = prefect.prefect(
        "gcl", "create", name, "--limit", "3", "--slot-decay-per-second", "0.5"
    )
    updated = prefect.prefect("gcl", "update", name, "--limit", "4")
    disabled = prefect.prefect("gcl", "disable", name)
    listed = prefect.prefect("gcl", "ls")
    inspected = prefect.prefect("gcl", "inspect", name)

    for done in (created, updated, disabled, listed, inspected):
        assert done.returncode == 0, done.describe()
    row = rest.get(f"{V2}/{name}")
    assert (row["limit"], row["active"], row["slot_decay_per_second"]) == (4, False, 0.5)
    assert name in listed.stdout
    assert name in inspected.stdout
    deleted = prefect.prefect("gcl", "delete", name)
    assert deleted.returncode == 0, deleted.describe()
    assert rest.call("GET", f"{V2}/{name}").status == 404
