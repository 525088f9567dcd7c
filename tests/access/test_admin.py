"""The admin creates keys (shown once), revokes them, and shows the deletion log read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from access.models import APIKey, DeletionRecord

from .conftest import bearer

pytestmark = pytest.mark.django_db


def test_adding_a_key_in_the_admin_shows_it_once_and_it_works(
    admin_client, client_with, keys_required
):
    owner = User.objects.create(username="bob", is_superuser=True)
    response = admin_client.post(
        "/admin/access/apikey/add/", {"name": "laptop", "user": owner.pk}, follow=True
    )
    assert response.status_code == 200
    row = APIKey.objects.get(name="laptop")
    assert row.user == owner
    [message] = [str(m) for m in response.context["messages"] if "API key for" in str(m)]
    key = message.split("The API key for laptop is: ")[1].split(". ")[0]
    assert key.startswith(row.prefix + ".")
    assert client_with(bearer(key)).get("/api/flows/").status_code == 200
    assert key not in admin_client.get(f"/admin/access/apikey/{row.pk}/change/").content.decode()


def test_revoking_in_the_admin_stops_the_key(admin_client, client_with, make_key, keys_required):
    key = make_key("bob")
    row = APIKey.objects.get()
    response = admin_client.post(
        f"/admin/access/apikey/{row.pk}/change/",
        {"name": row.name, "revoked": "on"},
        follow=True,
    )
    assert response.status_code == 200
    assert APIKey.objects.get().revoked
    assert client_with(bearer(key)).get("/api/flows/").status_code == 401


def test_the_key_list_names_each_keys_user(admin_client, make_key):
    make_key("bob")
    page = admin_client.get("/admin/access/apikey/").content.decode()
    assert APIKey.objects.get().prefix in page
    assert "bob" in page


def test_the_deletion_log_is_shown_and_cannot_be_edited(admin_client):
    record = DeletionRecord.objects.create(
        actor="apikey:AbCdEfGh:bob", kind="flow_run", count=1, object_ids=["x-1"]
    )
    page = admin_client.get("/admin/access/deletionrecord/").content.decode()
    assert "apikey:AbCdEfGh:bob" in page
    assert "x-1" in page
    assert admin_client.get("/admin/access/deletionrecord/add/").status_code == 403
    detail = admin_client.get(f"/admin/access/deletionrecord/{record.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
