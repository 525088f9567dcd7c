"""The two rules every write of a variable obeys, whichever way it comes in (the API's bodies,
the admin's form): Prefect's messages, so a 422 reads as Prefect's does."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_VALUE_LENGTH = 5000
NAME_MESSAGE = (
    "Variable name must only contain lowercase letters, numbers, and dashes or underscores."
)
VALUE_MESSAGE = f"Variable value must be less than {MAX_VALUE_LENGTH} characters"

_NAME = re.compile(r"[a-z0-9_-]*")


def check_name(name: str) -> str:
    """Lowercase letters, digits, `-` and `_` only; the empty name is allowed, as in Prefect."""
    if not _NAME.fullmatch(name):
        raise ValueError(NAME_MESSAGE)
    return name


def value_size(value: Any) -> int:
    """Bytes of the compact UTF-8 JSON of `value`, the measure Prefect limits."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def check_value(value: Any) -> Any:
    """At most 5000 bytes of compact JSON; `null` is always allowed."""
    if value is not None and value_size(value) > MAX_VALUE_LENGTH:
        raise ValueError(VALUE_MESSAGE)
    return value
