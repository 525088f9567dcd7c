"""Converting states between the database (JSON details) and the engine (Python values).

Details are stored in Prefect's wire form, every key present, so `details_to_json` is also
what the API serves for a state, whether it comes from a row or from the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from django.utils.dateparse import parse_datetime

from flowruns.encoding import dt
from orchestration.states import STATE_DETAILS_DEFAULTS, State, StateType

DATETIME_KEYS = frozenset({"scheduled_time", "cache_expiration", "pause_timeout"})
UUID_KEYS = frozenset(
    {
        "flow_run_id",
        "task_run_id",
        "child_flow_run_id",
        "transition_id",
        "task_parameters_id",
        "deployment_concurrency_lease_id",
    }
)


def details_from_json(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for key, value in (stored or {}).items():
        if key not in STATE_DETAILS_DEFAULTS:
            continue
        if value is not None and key in DATETIME_KEYS and isinstance(value, str):
            value = parse_datetime(value.replace("Z", "+00:00"))
        elif value is not None and key in UUID_KEYS and isinstance(value, str):
            value = UUID(value)
        details[key] = value
    return details


def details_to_json(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every StateDetails key in Prefect's order, missing ones at their defaults; engine
    values (datetimes, UUIDs, sets) encoded, already-encoded stored values kept as they are."""
    details = details or {}
    out: dict[str, Any] = {}
    for key, default in STATE_DETAILS_DEFAULTS.items():
        value = details.get(key, default)
        if isinstance(value, datetime):
            value = dt(value)
        elif isinstance(value, UUID):
            value = str(value)
        elif isinstance(value, set | frozenset):
            value = sorted(value)
        out[key] = value
    return out


def state_from_row(row: Any) -> State:
    return State(
        id=row.id,
        type=StateType(row.type),
        name=row.name,
        timestamp=row.timestamp,
        message=row.message,
        data=row.data,
        state_details=details_from_json(row.state_details),
    )


def is_unpersisted(data: Any) -> bool:
    """`{"type": "unpersisted"}` data is echoed to the caller but never stored."""
    return isinstance(data, Mapping) and data.get("type") == "unpersisted"
