"""The variables admin: list, search, and create/edit through the service with its rules."""

from __future__ import annotations

from unittest import mock

import pytest

from variables import admin as variables_admin
from variables.models import Variable
from variables.rules import NAME_MESSAGE, VALUE_MESSAGE
from variables.services import variable_create

pytestmark = pytest.mark.django_db

ADD = "/admin/variables/variable/add/"


def change_url(variable):
    return f"/admin/variables/variable/{variable.pk}/change/"


def form(name="cfg", value='{"a": 1}', tags='["t"]'):
    return {"name": name, "value": value, "tags": tags}


def test_the_list_shows_name_value_preview_and_tags(admin_client):
    variable_create(name="short", value={"k": "v"}, tags=["x", "y"])
    variable_create(name="long", value="z" * 500, tags=[])
    page = admin_client.get("/admin/variables/variable/").content.decode()
    assert "short" in page and "{&quot;k&quot;: &quot;v&quot;}" in page and "x, y" in page
    assert "z" * 58 + "…" in page and "z" * 60 not in page


def test_search_finds_variables_by_name(admin_client):
    variable_create(name="db_url", value="x", tags=[])
    variable_create(name="api_secret", value="y", tags=[])
    page = admin_client.get("/admin/variables/variable/?q=db").content.decode()
    assert "db_url" in page and "api_secret" not in page


def test_adding_goes_through_the_service_and_stores_json(admin_client):
    with mock.patch.object(
        variables_admin, "variable_create", wraps=variables_admin.variable_create
    ) as service:
        response = admin_client.post(ADD, form())
    assert response.status_code == 302
    service.assert_called_once_with(name="cfg", value={"a": 1}, tags=["t"])
    variable = Variable.objects.get(name="cfg")
    assert (variable.value, variable.tags) == ({"a": 1}, ["t"])


def test_editing_writes_the_changed_fields_through_the_service(admin_client):
    variable = variable_create(name="cfg", value=1, tags=["t"])
    with mock.patch.object(
        variables_admin, "variable_update", wraps=variables_admin.variable_update
    ) as service:
        response = admin_client.post(change_url(variable), form(value='"text"'))
    assert response.status_code == 302
    assert service.call_args.kwargs["changes"] == {"value": "text"}
    variable.refresh_from_db()
    assert (variable.value, variable.tags) == ("text", ["t"])


def test_invalid_json_is_shown_as_an_error_and_nothing_changes(admin_client):
    variable = variable_create(name="cfg", value=1, tags=[])
    response = admin_client.post(change_url(variable), form(value="{not json"))
    assert response.status_code == 200
    assert "Enter a valid JSON." in response.content.decode()
    variable.refresh_from_db()
    assert variable.value == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form(name="Bad.Name"), NAME_MESSAGE),
        (form(value='"' + "x" * 4999 + '"'), VALUE_MESSAGE),
        (form(tags='"not a list"'), "Input should be a valid list"),
    ],
)
def test_the_api_rules_apply_in_the_admin(admin_client, data, message):
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Variable.objects.exists()


def test_a_taken_name_is_refused_by_the_form(admin_client):
    variable_create(name="cfg", value=1, tags=[])
    response = admin_client.post(ADD, form())
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Variable.objects.get().value == 1


def test_deleting_in_the_admin_removes_the_variable(admin_client):
    variable = variable_create(name="cfg", value=1, tags=[])
    url = f"/admin/variables/variable/{variable.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Variable.objects.exists()
