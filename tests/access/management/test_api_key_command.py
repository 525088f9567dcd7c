"""`manage.py api_key create|revoke|list`: the key is printed once and works at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from access.models import APIKey
from tests.access.conftest import bearer

pytestmark = pytest.mark.django_db


def api_key(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_key", *args, stdout=out, stderr=err, interactive=False)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_alone_and_it_authenticates(client_with, keys_required):
    User.objects.create(username="ci")
    out, err = api_key("create", "--user", "ci", "--name", "ci runner", "--grant", "write")
    key = out.strip()
    prefix = key.split(".")[0]
    assert f"Created API key {prefix} ('ci runner') for ci, level write." in err
    assert key not in err
    response = client_with(bearer(key)).post("/api/flows/", {"name": "etl"}, format="json")
    assert response.status_code == 201


def test_create_for_an_unknown_user_fails_plainly():
    with pytest.raises(CommandError, match="No user 'ghost': create one in the admin, or pass"):
        api_key("create", "--user", "ghost")
    assert not APIKey.objects.exists()


def test_create_user_makes_an_api_only_user(client_with, keys_required):
    key = api_key("create", "--user", "bot", "--create-user", "--grant", "read")[0].strip()
    bot = User.objects.get(username="bot")
    assert not bot.has_usable_password()
    assert client_with(bearer(key)).get("/api/flows/").status_code == 200


def test_create_with_an_expiry_date(keys_required):
    User.objects.create(username="ci")
    api_key("create", "--user", "ci", "--expires", "2000-01-01")
    assert APIKey.objects.get().has_expired


def test_revoke_stops_the_key(client_with, keys_required):
    User.objects.create(username="ci", is_superuser=True)
    key = api_key("create", "--user", "ci")[0].strip()
    prefix = key.split(".")[0]
    assert client_with(bearer(key)).get("/api/flows/").status_code == 200
    out, _ = api_key("revoke", prefix)
    assert out == f"Revoked API key {prefix} ('ci').\n"
    assert client_with(bearer(key)).get("/api/flows/").status_code == 401


def test_revoke_of_an_unknown_prefix_fails():
    with pytest.raises(CommandError, match="No API key with prefix 'nope'"):
        api_key("revoke", "nope")


def test_list_shows_prefixes_and_status_never_keys():
    User.objects.create(username="ci")
    key = api_key("create", "--user", "ci")[0].strip()
    api_key("revoke", key.split(".")[0])
    out, _ = api_key("list", "--user", "ci")
    assert out.startswith(f"{key.split('.')[0]}  revoked  ci ")
    assert key.split(".")[1] not in out
