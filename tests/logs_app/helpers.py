"""Shared helpers of the log route tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def log_body(**fields: Any) -> dict[str, Any]:
    """A valid LogCreate body; keyword arguments override or add keys."""
    body: dict[str, Any] = {
        "name": "prefect.flow_runs",
        "level": 20,
        "message": "hello",
        "timestamp": "2024-01-01T00:00:00Z",
        "flow_run_id": None,
        "task_run_id": None,
    }
    body.update(fields)
    return body
