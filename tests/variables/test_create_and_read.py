"""`POST /variables/` and the reads by id and by name (concurrency.md §6)."""

from __future__ import annotations

import uuid

import pytest

from variables.models import Variable
from variables.rules import NAME_MESSAGE, VALUE_MESSAGE

from .helpers import create, created, errors

pytestmark = pytest.mark.django_db


def test_create_answers_201_with_prefects_keys_in_order(api):
    response = create(api, "my_var", "hello", tags=["a"])
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["id", "created", "updated", "name", "value", "tags"]
    assert (body["name"], body["value"], body["tags"]) == ("my_var", "hello", ["a"])
    assert body["created"] == body["updated"]
    assert Variable.objects.get(pk=body["id"]).value == "hello"


def test_the_collection_path_without_slash_creates_too(api):
    response = api.post("/api/variables", {"name": "plain", "value": 1}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "value", ["text", 42, 1.5, True, None, {"a": [1, {"b": None}]}, [1, "two"], ""]
)
def test_any_json_value_is_stored_and_returned_as_sent(api, value):
    variable = created(api, "any-value", value)
    assert variable["value"] == value
    assert type(variable["value"]) is type(value)
    assert api.get(f"/api/variables/{variable['id']}").json()["value"] == value


def test_tags_default_to_an_empty_list(api):
    assert created(api, "untagged")["tags"] == []


def test_a_duplicate_name_is_409_naming_it(api):
    created(api, "my_var")
    response = create(api, "my_var", "other")
    assert response.status_code == 409
    assert response.json() == {"detail": "A variable with the name 'my_var' already exists."}
    assert Variable.objects.get(name="my_var").value == "v"


@pytest.mark.parametrize("name", ["MyVar", "my.var", "with space", "ünï"])
def test_names_outside_lowercase_digits_dash_underscore_are_422(api, name):
    assert errors(create(api, name)) == [
        ("value_error", ["body", "name"], f"Value error, {NAME_MESSAGE}")
    ]


def test_a_name_over_255_characters_is_422_too_long(api):
    assert errors(create(api, "a" * 256)) == [
        (
            "too_long",
            ["body", "name"],
            "Value should have at most 255 items after validation, not 256",
        )
    ]
    assert create(api, "a" * 255).status_code == 201


def test_the_empty_name_is_accepted_as_in_prefect(api):
    assert create(api, "").status_code == 201


def test_a_value_of_5000_json_characters_fits_and_one_more_does_not(api):
    assert create(api, "fits", "x" * 4998).status_code == 201  # 5000 with its quotes
    assert errors(create(api, "too-big", "x" * 4999)) == [
        ("value_error", ["body", "value"], f"Value error, {VALUE_MESSAGE}")
    ]
    assert not Variable.objects.filter(name="too-big").exists()


def test_the_size_counts_utf8_bytes_of_compact_json(api):
    assert errors(create(api, "wide", "é" * 2500))[0][1] == ["body", "value"]  # 5002 bytes
    assert create(api, "compact", {"k": ["x" * 4980]}).status_code == 201  # no spaces counted


def test_value_is_required_and_unknown_keys_are_refused(api):
    missing = api.post("/api/variables/", {"name": "novalue"}, format="json")
    assert errors(missing) == [("missing", ["body", "value"], "Field required")]
    extra = create(api, "extra", 1, colour="red")
    assert errors(extra)[0][:2] == ("extra_forbidden", ["body", "colour"])


def test_read_by_id_and_by_name_give_the_same_variable(api):
    variable = created(api, "read-me", {"k": 1})
    assert api.get(f"/api/variables/{variable['id']}").json() == variable
    assert api.get("/api/variables/name/read-me").json() == variable


def test_an_unknown_variable_is_404_variable_not_found(api):
    for path in (f"/api/variables/{uuid.uuid4()}", "/api/variables/name/nope"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Variable not found."}


def test_the_collection_cannot_be_listed_with_get(api):
    assert api.get("/api/variables/").status_code == 405
