"""`PATCH` and `DELETE` of `/variables/{id}` and `/variables/name/{name}` (concurrency.md §6.3)."""

from __future__ import annotations

import uuid

import pytest
import time_machine

from flowruns.errors import INTEGRITY_MESSAGE
from variables.models import Variable
from variables.rules import NAME_MESSAGE

from .helpers import created, errors

pytestmark = pytest.mark.django_db


def patch(api, path, body):
    return api.patch(path, body, format="json")


@pytest.mark.parametrize("by", ["id", "name"])
def test_patch_writes_only_the_keys_given_and_answers_204(api, by):
    with time_machine.travel("2026-01-01T00:00:00Z", tick=False):
        variable = created(api, "patched", {"old": 1}, tags=["keep"])
    path = f"/api/variables/{variable['id']}" if by == "id" else "/api/variables/name/patched"
    with time_machine.travel("2026-01-02T00:00:00Z", tick=False):
        response = patch(api, path, {"value": [1, 2]})
    assert (response.status_code, response.content) == (204, b"")
    after = api.get(f"/api/variables/{variable['id']}").json()
    assert (after["name"], after["value"], after["tags"]) == ("patched", [1, 2], ["keep"])
    assert (after["created"], after["updated"]) == (
        "2026-01-01T00:00:00Z",
        "2026-01-02T00:00:00Z",
    )


def test_patch_with_a_null_value_stores_null(api):
    variable = created(api, "nullable", "something")
    assert patch(api, "/api/variables/name/nullable", {"value": None}).status_code == 204
    assert api.get(f"/api/variables/{variable['id']}").json()["value"] is None


def test_patch_replaces_tags_and_renames(api):
    variable = created(api, "before", 1, tags=["a", "b"])
    body = {"name": "after", "tags": ["c"]}
    assert patch(api, f"/api/variables/{variable['id']}", body).status_code == 204
    assert api.get("/api/variables/name/before").status_code == 404
    renamed = api.get("/api/variables/name/after").json()
    assert (renamed["id"], renamed["value"], renamed["tags"]) == (variable["id"], 1, ["c"])


def test_a_rename_is_checked_like_a_new_name(api):
    created(api, "valid")
    response = patch(api, "/api/variables/name/valid", {"name": "In.Valid"})
    assert errors(response) == [("value_error", ["body", "name"], f"Value error, {NAME_MESSAGE}")]
    assert Variable.objects.filter(name="valid").exists()


def test_a_rename_onto_a_taken_name_is_the_generic_409(api):
    created(api, "first")
    created(api, "second")
    response = patch(api, "/api/variables/name/second", {"name": "first"})
    assert response.status_code == 409
    assert response.json() == {"detail": INTEGRITY_MESSAGE}


def test_patch_refuses_a_value_too_large_and_unknown_keys(api):
    created(api, "bounded", "small")
    assert errors(patch(api, "/api/variables/name/bounded", {"value": "x" * 5000}))[0][1] == [
        "body",
        "value",
    ]
    assert errors(patch(api, "/api/variables/name/bounded", {"colour": 1}))[0][0] == (
        "extra_forbidden"
    )
    assert Variable.objects.get(name="bounded").value == "small"


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_patch_and_delete_of_an_unknown_variable_are_404(api, method):
    for path in (f"/api/variables/{uuid.uuid4()}", "/api/variables/name/ghost"):
        response = getattr(api, method)(path, {"value": 1}, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Variable not found."}


@pytest.mark.parametrize("by", ["id", "name"])
def test_delete_removes_the_variable_and_answers_204(api, by):
    variable = created(api, "doomed")
    path = f"/api/variables/{variable['id']}" if by == "id" else "/api/variables/name/doomed"
    response = api.delete(path)
    assert (response.status_code, response.content) == (204, b"")
    assert not Variable.objects.filter(pk=variable["id"]).exists()
    assert api.delete(path).status_code == 404


def test_an_explicit_null_name_or_tags_leaves_them_as_they_are(api):
    variable = created(api, "steady", 1, tags=["t"])
    assert patch(api, "/api/variables/name/steady", {"name": None, "tags": None}).status_code == 204
    after = api.get(f"/api/variables/{variable['id']}").json()
    assert (after["name"], after["value"], after["tags"]) == ("steady", 1, ["t"])
