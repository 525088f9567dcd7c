"""How a datetime is written in JSON, both in stored state details and on the wire.

Stored details use Prefect's wire form, so a state row is served without re-encoding.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def dt(value: datetime | None) -> str | None:
    """`2021-07-01T00:00:00Z`, or `...00.500000Z` when there are microseconds."""
    if value is None:
        return None
    # Fast path: a zero offset (the database's UTC) or a naive value, one C call.
    text = value.isoformat()
    if text.endswith("+00:00"):
        return text[:-6] + "Z"
    if value.tzinfo is None:
        return text + "Z"
    offset = value.utcoffset()
    if offset is not None and offset != timedelta(0):
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"
