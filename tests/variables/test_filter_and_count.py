"""`POST /variables/filter` and `POST /variables/count` (concurrency.md §6.3)."""

from __future__ import annotations

import pytest
import time_machine

from .helpers import created

pytestmark = pytest.mark.django_db


@pytest.fixture
def variables(api):
    """Created a day apart, in an order that differs from their names' order."""
    made = {}
    for day, (name, tags) in enumerate(
        [("beta", ["x"]), ("alpha", ["x", "y"]), ("gamma_db", []), ("delta-db", ["y"])], start=1
    ):
        with time_machine.travel(f"2026-01-0{day}T00:00:00Z", tick=False):
            made[name] = created(api, name, day, tags=tags)
    return made


def names(api, body):
    response = api.post("/api/variables/filter", body, format="json")
    assert response.status_code == 200, response.content
    return [v["name"] for v in response.json()]


def count(api, body):
    response = api.post("/api/variables/count", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_filter_without_a_body_lists_every_variable_by_name(api, variables):
    assert names(api, {}) == ["alpha", "beta", "delta-db", "gamma_db"]
    assert api.post("/api/variables/filter").json()[0] == variables["alpha"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("NAME_ASC", ["alpha", "beta", "delta-db", "gamma_db"]),
        ("NAME_DESC", ["gamma_db", "delta-db", "beta", "alpha"]),
        ("CREATED_DESC", ["delta-db", "gamma_db", "alpha", "beta"]),
        ("UPDATED_DESC", ["delta-db", "gamma_db", "alpha", "beta"]),
    ],
)
def test_filter_sorts(api, variables, sort, expected):
    assert names(api, {"sort": sort}) == expected


def test_an_unknown_sort_is_422(api, variables):
    response = api.post("/api/variables/filter", {"sort": "VALUE_ASC"}, format="json")
    assert response.status_code == 422


def test_updated_desc_follows_the_last_write(api, variables):
    with time_machine.travel("2026-02-01T00:00:00Z", tick=False):
        api.patch("/api/variables/name/beta", {"value": 0}, format="json")
    assert names(api, {"sort": "UPDATED_DESC"})[0] == "beta"


def test_filter_by_name_like_is_a_case_insensitive_substring(api, variables):
    assert names(api, {"variables": {"name": {"like_": "DB"}}}) == ["delta-db", "gamma_db"]


def test_filter_by_name_any_is_exact(api, variables):
    body = {"variables": {"name": {"any_": ["beta", "gamma", "alpha"]}}}
    assert names(api, body) == ["alpha", "beta"]


def test_filter_by_id_any(api, variables):
    body = {"variables": {"id": {"any_": [variables["gamma_db"]["id"]]}}}
    assert names(api, body) == ["gamma_db"]


def test_filter_by_tags_all_and_is_null(api, variables):
    assert names(api, {"variables": {"tags": {"all_": ["x", "y"]}}}) == ["alpha"]
    assert names(api, {"variables": {"tags": {"all_": ["y"]}}}) == ["alpha", "delta-db"]
    assert names(api, {"variables": {"tags": {"is_null_": True}}}) == ["gamma_db"]
    assert names(api, {"variables": {"tags": {"is_null_": False}}}) == [
        "alpha",
        "beta",
        "delta-db",
    ]


def test_filter_criteria_combine_with_and_or_or(api, variables):
    both = {"name": {"like_": "a"}, "tags": {"all_": ["x"]}}
    assert names(api, {"variables": both}) == ["alpha", "beta"]
    either = {"operator": "or_", "name": {"any_": ["gamma_db"]}, "tags": {"all_": ["y"]}}
    assert names(api, {"variables": either}) == ["alpha", "delta-db", "gamma_db"]


def test_unknown_filter_keys_are_422(api, variables):
    body = {"variables": {"value": {"any_": [1]}}}
    assert api.post("/api/variables/filter", body, format="json").status_code == 422


def test_limit_and_offset_page_through_the_sorted_list(api, variables):
    assert names(api, {"limit": 2}) == ["alpha", "beta"]
    assert names(api, {"limit": 2, "offset": 2}) == ["delta-db", "gamma_db"]
    assert names(api, {"limit": 0}) == []


def test_a_limit_over_200_is_422_with_prefects_detail(api, variables):
    response = api.post("/api/variables/filter", {"limit": 201}, format="json")
    assert response.status_code == 422
    assert response.json() == {"detail": "Invalid limit: must be less than or equal to 200."}


def test_count_is_a_bare_integer_under_the_same_filters(api, variables):
    assert count(api, {}) == 4
    assert count(api, {"variables": {"name": {"like_": "db"}}}) == 2
    assert count(api, {"variables": None}) == 4
    assert count(api, {"variables": {"tags": {"all_": ["nope"]}}}) == 0
