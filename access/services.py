"""Writes of the access app: API keys (create, revoke) and the deletion log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.utils import timezone

from .actors import current_actor
from .levels import APP_LABEL, PERMISSIONS, Level
from .models import APIKey, DeletionRecord


def api_key_create(
    *, user: AbstractBaseUser, name: str, expiry_date: Any = None
) -> tuple[APIKey, str]:
    """A new key for `user`: the row and the key itself, which is shown once and never stored."""
    row, key = APIKey.objects.create_key(user=user, name=name, expiry_date=expiry_date)
    return cast(APIKey, row), key


def api_key_revoke(*, key: APIKey) -> None:
    """Revoke `key` for good (the library refuses to un-revoke)."""
    key.revoked = True
    key.save(update_fields=["revoked"])


def api_key_touch(*, key: APIKey) -> None:
    """Remember when a key was last used (at most one write a minute per key)."""
    now = timezone.now()
    if key.last_used is None or (now - key.last_used).total_seconds() >= 60:
        APIKey.objects.filter(pk=key.pk).update(last_used=now)


def user_grant_level(*, user: Any, level: Level) -> None:
    """Give `user` the permission of `level` (which includes the levels below it)."""
    if level is Level.NONE:
        return
    permission = Permission.objects.get(
        content_type__app_label=APP_LABEL, codename=PERMISSIONS[level]
    )
    user.user_permissions.add(permission)


def deletion_record(*, kind: str, object_ids: Sequence[UUID | str], description: str = "") -> None:
    """Log a deletion in the caller's transaction (it rolls back with it), by the current
    actor (`access.actors`)."""
    if not object_ids:
        return
    DeletionRecord.objects.create(
        actor=current_actor(),
        kind=kind,
        count=len(object_ids),
        object_ids=[str(object_id) for object_id in object_ids],
        description=description,
    )
