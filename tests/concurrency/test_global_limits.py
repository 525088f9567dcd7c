"""`/v2/concurrency_limits`: create, read by id or name, filter, update, delete — Prefect's
shapes, key order and errors."""

from __future__ import annotations

import uuid

import pytest

from .helpers import V2, create, post, read

pytestmark = pytest.mark.django_db

FULL_KEYS = [
    "id",
    "created",
    "updated",
    "active",
    "name",
    "limit",
    "active_slots",
    "denied_slots",
    "slot_decay_per_second",
    "avg_slot_occupancy_seconds",
]
READ_KEYS = [
    "id",
    "created",
    "updated",
    "active",
    "name",
    "limit",
    "active_slots",
    "slot_decay_per_second",
]


def test_create_answers_201_with_every_field_in_prefects_order(api):
    body = create(api, "db", 2)

    assert list(body) == FULL_KEYS
    assert body["created"].endswith("Z")
    assert (body["active"], body["active_slots"], body["denied_slots"]) == (True, 0, 0)
    assert (body["slot_decay_per_second"], body["avg_slot_occupancy_seconds"]) == (0.0, 2.0)


def test_a_duplicate_name_is_a_409(api):
    create(api, "db")

    response = post(api, f"{V2}/", {"name": "db", "limit": 3})

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Data integrity conflict")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"name": "a/b", "limit": 1}, "string_pattern_mismatch"),
        ({"name": "db", "limit": -1}, "greater_than_equal"),
        ({"name": "db"}, "missing"),
        ({"name": "db", "limit": 1, "avg_slot_occupancy_seconds": 3}, "extra_forbidden"),
        ({"name": "db", "limit": 1, "slot_decay_per_second": -0.5}, "greater_than_equal"),
    ],
)
def test_create_validates_like_prefect(api, body, error):
    response = post(api, f"{V2}/", body)

    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == error


def test_a_limit_reads_by_id_and_by_name_in_the_short_shape(api):
    created = create(api, "db", 2)

    by_name = read(api, "db")

    assert list(by_name) == READ_KEYS
    assert read(api, created["id"]) == by_name


def test_an_unknown_limit_is_a_404_by_name_and_by_id(api):
    for segment in ("nope", str(uuid.uuid4())):
        response = api.get(f"{V2}/{segment}")
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "Concurrency Limit not found"},
        )


def test_filter_lists_limits_by_name_and_pages(api):
    for name in ("c", "a", "tag:x", "b"):
        create(api, name, 1)

    names = [row["name"] for row in post(api, f"{V2}/filter", {}).json()]
    page = post(api, f"{V2}/filter", {"limit": 2, "offset": 1}).json()

    assert names == ["a", "b", "c", "tag:x"]
    assert [row["name"] for row in page] == ["b", "c"]


def test_patch_writes_only_the_fields_sent(api):
    create(api, "db", 2, slot_decay_per_second=0.5)

    response = api.patch(f"{V2}/db", {"limit": 4, "active": False}, format="json")

    assert (response.status_code, response.content) == (204, b"")
    row = read(api, "db")
    assert (row["limit"], row["active"], row["slot_decay_per_second"]) == (4, False, 0.5)


def test_patch_refuses_unknown_fields_and_unknown_limits(api):
    create(api, "db", 2)

    bad = api.patch(f"{V2}/db", {"avg_slot_occupancy_seconds": 1}, format="json")
    missing = api.patch(f"{V2}/nope", {"limit": 1}, format="json")

    assert bad.status_code == 422
    assert missing.status_code == 404


def test_delete_answers_204_then_the_limit_is_gone(api):
    created = create(api, "db", 2)

    assert api.delete(f"{V2}/{created['id']}").status_code == 204
    assert api.delete(f"{V2}/db").status_code == 404
    assert api.get(f"{V2}/db").status_code == 404


def test_renaming_onto_an_existing_name_is_a_409(api):
    create(api, "a")
    create(api, "b")

    response = api.patch(f"{V2}/b", {"name": "a"}, format="json")

    assert response.status_code == 409
    assert read(api, "b")["name"] == "b"


def test_deleting_a_limit_leaves_its_leases_whose_release_then_gives_nothing_back(api):
    create(api, "gone", 2)
    create(api, "kept", 2)
    body = {"names": ["gone", "kept"], "slots": 1, "lease_duration": 60}
    lease_id = post(api, f"{V2}/increment-with-lease", body).json()["lease_id"]
    api.delete(f"{V2}/gone")

    released = post(api, f"{V2}/decrement-with-lease", {"lease_id": lease_id})

    assert released.status_code == 204
    assert read(api, "kept")["active_slots"] == 0
