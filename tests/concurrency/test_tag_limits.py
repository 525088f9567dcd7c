"""`/concurrency_limits` (v1): tag limits as the CLI uses them, stored as `tag:<tag>`."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2

from .helpers import V1, V2, acquire, post, read

pytestmark = pytest.mark.django_db

V1_KEYS = ["id", "created", "updated", "tag", "concurrency_limit", "active_slots"]


def create_tag(api, tag: str = "etl", limit: int = 1):
    return post(api, f"{V1}/", {"tag": tag, "concurrency_limit": limit})


def test_creating_a_tag_limit_makes_the_global_limit_tag_name(api):
    response = create_tag(api, "etl", 1)

    assert response.status_code == 201
    body = response.json()
    assert list(body) == V1_KEYS
    assert (body["tag"], body["concurrency_limit"], body["active_slots"]) == ("etl", 1, [])
    assert read(api, "tag:etl")["id"] == body["id"]


def test_creating_it_again_updates_the_limit_and_answers_200(api):
    first = create_tag(api, "etl", 1).json()

    again = create_tag(api, "etl", 3)

    assert again.status_code == 200
    assert (again.json()["id"], again.json()["concurrency_limit"]) == (first["id"], 3)


def test_a_tag_limit_lists_the_task_runs_holding_it(api):
    create_tag(api, "etl", 2)
    task_run = str(uuid.uuid4())
    acquire(api, ["tag:etl"], holder={"type": "task_run", "id": task_run})

    by_tag = api.get(f"{V1}/tag/etl").json()

    assert by_tag["active_slots"] == [task_run]
    assert api.get(f"{V1}/{by_tag['id']}").json() == by_tag


def test_reads_of_missing_tags_and_non_tag_limits_are_404(api):
    post(api, f"{V2}/", {"name": "db", "limit": 1})
    db_id = ConcurrencyLimitV2.objects.get(name="db").id

    for path in (f"{V1}/tag/nope", f"{V1}/{db_id}"):
        response = api.get(path)
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "Concurrency limit not found"},
        )


def test_filter_lists_only_tag_limits(api):
    create_tag(api, "b")
    create_tag(api, "a")
    post(api, f"{V2}/", {"name": "db", "limit": 1})

    rows = post(api, f"{V1}/filter", {"limit": 15, "offset": 0}).json()

    assert [row["tag"] for row in rows] == ["a", "b"]


def test_reset_drops_the_holders_and_frees_their_slots(api):
    create_tag(api, "etl", 3)
    acquire(api, ["tag:etl"])
    keeper = str(uuid.uuid4())

    response = post(api, f"{V1}/tag/etl/reset", {"slot_override": [keeper]})

    assert (response.status_code, response.json()) == (200, None)
    assert read(api, "tag:etl")["active_slots"] == 1
    assert api.get(f"{V1}/tag/etl").json()["active_slots"] == [keeper]
    assert post(api, f"{V1}/tag/nope/reset", {}).status_code == 404


def test_delete_by_tag_answers_200_null_and_drops_its_leases(api):
    create_tag(api, "etl", 1)
    acquire(api, ["tag:etl"])

    response = api.delete(f"{V1}/tag/etl")

    assert (response.status_code, response.json()) == (200, None)
    assert not ConcurrencyLease.objects.exists()
    assert api.delete(f"{V1}/tag/etl").status_code == 404


def test_legacy_increment_and_decrement_hold_one_slot_per_task_run(api):
    create_tag(api, "etl", 1)
    task_run = str(uuid.uuid4())
    body = {"names": ["etl"], "task_run_id": task_run}

    taken = post(api, f"{V1}/increment", body)
    refused = post(api, f"{V1}/increment", {**body, "task_run_id": str(uuid.uuid4())})
    given = post(api, f"{V1}/decrement", body)

    assert [row["name"] for row in taken.json()] == ["etl"]
    assert refused.status_code == 423
    assert refused.json() == {"detail": "Concurrency limit for the etl tag has been reached"}
    assert [row["name"] for row in given.json()] == ["tag:etl"]
    assert read(api, "tag:etl")["active_slots"] == 0


def test_legacy_increment_on_a_zero_limit_warns_of_a_deadlock(api):
    create_tag(api, "zero", 0)

    response = post(api, f"{V1}/increment", {"names": ["zero"], "task_run_id": str(uuid.uuid4())})

    assert response.status_code == 423
    assert "is 0 and will deadlock" in response.json()["detail"]


def test_filter_lists_each_limits_holders_in_a_fixed_number_of_queries(api):
    def listed():
        with CaptureQueriesContext(connection) as queries:
            rows = post(api, f"{V1}/filter", {}).json()
        return rows, len(queries)

    create_tag(api, "t0", 2)
    holder = str(uuid.uuid4())
    acquire(api, ["tag:t0"], holder={"type": "task_run", "id": holder})
    _, one_limit = listed()
    for index in range(1, 5):
        create_tag(api, f"t{index}", 2)
        acquire(api, [f"tag:t{index}"])

    rows, five_limits = listed()

    assert five_limits == one_limit
    assert rows[0]["active_slots"] == [holder]
    assert all(len(row["active_slots"]) == 1 for row in rows)
