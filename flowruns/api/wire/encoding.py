"""Prefect's wire encodings: UTC datetimes ending in `Z`, durations as float seconds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from flowruns.encoding import dt

__all__ = ["dt", "jsonable", "uid"]


def uid(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def jsonable(value: Any) -> Any:
    """Fallback for values that reach the renderer unconverted."""
    if isinstance(value, datetime):
        return dt(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
