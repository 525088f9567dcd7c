"""Users at each access level, their API keys, and clients that send credentials."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from access.levels import Level
from access.services import api_key_create, user_grant_level

AUTH_STRING = "user:pass"


def basic(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def bearer(key: str) -> str:
    return f"Bearer {key}"


@pytest.fixture
def auth_string_on(settings: Any) -> str:
    settings.PREFECT_SERVER_API_AUTH_STRING = AUTH_STRING
    return AUTH_STRING


@pytest.fixture
def keys_required(settings: Any) -> None:
    """Authentication on with API keys only (no shared auth string)."""
    settings.API_AUTH_REQUIRED = True


@pytest.fixture
def make_key(db: None) -> Callable[..., str]:
    """`make_key("alice", Level.WRITE)`: a user at that level (created if new) and a new key."""

    def make(username: str = "alice", level: Level | None = Level.WRITE, **user: Any) -> str:
        person, _ = User.objects.get_or_create(username=username, defaults=user)
        if level is not None:
            user_grant_level(user=person, level=level)
        _, key = api_key_create(user=person, name=f"{username}-key")
        return key

    return make


@pytest.fixture
def client_with() -> Callable[[str], APIClient]:
    """An API client sending this `Authorization` header on every request."""

    def make(authorization: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=authorization)
        return client

    return make
