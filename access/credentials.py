"""Who a credential belongs to: Prefect's auth string, or one of our API keys.

Accepted credentials (auth.md §2 for the Basic scheme, which is parsed exactly as Prefect does):

* `Authorization: Basic base64(<auth string>)`: the shared password, every level;
* `Authorization: Bearer <API key>` (the client's `PREFECT_API_KEY`);
* `Authorization: Basic base64(<API key>)` (the client's `PREFECT_API_AUTH_STRING` set to a
  key), so one variable also authenticates the client's event sockets, whose auth message
  carries the auth string (`token`) but never `PREFECT_API_KEY`.

Comparisons are constant-time; neither header nor setting is ever logged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from . import key_cache
from .actors import AUTH_STRING_ACTOR, api_key_actor
from .config import auth_string
from .levels import APP_LABEL, PERMISSIONS, Level
from .models import APIKey
from .principal import Principal
from .services import api_key_touch

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")
_CODES = list(PERMISSIONS.values())


def from_authorization(header: str) -> Principal | None:
    """The principal an `Authorization` header value proves, or None."""
    parts = header.split()
    if len(parts) != 2:
        return None
    scheme, credential = parts
    if scheme == "Basic":  # case-sensitive, as Prefect
        secret = _decode_basic(credential)
        return from_token(secret) if secret is not None else None
    if scheme == "Bearer":
        return from_api_key(credential)
    return None


def from_token(secret: str) -> Principal | None:
    """The auth string, or an API key (the websocket auth message's `token`, a Basic value)."""
    expected = auth_string()
    if expected is not None and hmac.compare_digest(secret.encode(), expected.encode()):
        return Principal(actor=AUTH_STRING_ACTOR, level=Level.BULK)
    return from_api_key(secret)


def from_api_key(key: str) -> Principal | None:
    """A usable key (not revoked, not expired, its user active), as its user."""
    prefix, dot, _ = key.partition(".")
    if not dot or not prefix:
        return None
    key_digest = key_cache.digest(key)
    principal = key_cache.remembered(key_digest)
    if principal is not None:
        return principal
    row = (
        APIKey.objects.filter(Q(expiry_date__isnull=True) | Q(expiry_date__gt=timezone.now()))
        .filter(prefix=prefix, revoked=False, user__is_active=True)
        .select_related("user")
        .first()
    )
    if row is None or not row.is_valid(key):
        return None
    user: Any = row.user
    level = Level.BULK if user.is_superuser else _level_of_user(user.pk)
    api_key_touch(key=row)
    principal = Principal(
        actor=api_key_actor(row.prefix, user.get_username()), level=level, key_prefix=row.prefix
    )
    key_cache.remember(key_digest, principal)
    return principal


def _level_of_user(user_id: int) -> Level:
    """The user's level from the permissions it holds directly or through a group (what
    Django's ModelBackend checks), in one query: cheaper to plan and run than the two of
    `get_all_permissions()` or EXISTS subqueries in the key's query (bench/auth_cost.py)."""
    held = set(
        Permission.objects.filter(content_type__app_label=APP_LABEL, codename__in=_CODES)
        .filter(Q(user=user_id) | Q(group__user=user_id))
        .values_list("codename", flat=True)
        .distinct()
    )
    return max((level for level, code in PERMISSIONS.items() if code in held), default=Level.NONE)


def _decode_basic(credential: str) -> str | None:
    """Lenient base64 (characters outside the alphabet dropped), then UTF-8; None if invalid."""
    raw = _NOT_BASE64.sub(b"", credential.encode("utf-8", errors="ignore"))
    try:
        return base64.b64decode(raw).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
