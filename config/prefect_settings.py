"""Read one of Prefect's settings the way Prefect does, for the apps that honour them.

A setting is read from, in order: a Django setting of the same name (tests and
`config/settings/*.py` may set one), the environment variable, then its aliases (the primary
name wins when both are set), then Prefect's default. A bad value raises
ImproperlyConfigured naming the variable, so an app that parses its settings in `ready()`
stops the server at start-up instead of failing later.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from pydantic import ValidationError

T = TypeVar("T")


def setting_raw(name: str, aliases: tuple[str, ...] = ()) -> str | None:
    for candidate in (name, *aliases):
        if hasattr(django_settings, candidate):
            return str(getattr(django_settings, candidate))
    for candidate in (name, *aliases):
        value = os.environ.get(candidate)
        if value not in (None, ""):
            return value
    return None


def setting_read(
    name: str, default: T, parse: Callable[[str], T], *aliases: str, check: str = ""
) -> T:
    raw = setting_raw(name, aliases)
    if raw is None:
        return default
    try:
        return parse(raw)
    except (ValueError, ValidationError, TypeError) as error:
        reason = check or str(error).splitlines()[0]
        raise ImproperlyConfigured(f"{name}={raw!r} is invalid: {reason}") from None


def parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def parse_seconds(raw: str) -> timedelta:
    """A positive number of seconds (Prefect's `*_SECONDS` settings)."""
    value = float(raw)
    if not value > 0:
        raise ValueError("must be a positive number of seconds")
    return timedelta(seconds=value)
