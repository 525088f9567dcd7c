"""Request bodies the hot-path rendering tests share."""

from __future__ import annotations

from typing import Any


def full_run_body(flow_id: str, name: str) -> dict[str, Any]:
    """A flow-run create with every field the answer renders from stored JSON: nested
    parameters with Unicode, context, tags, labels, a policy and a named state with details."""
    return {
        "flow_id": flow_id,
        "name": name,
        "parameters": {"b": [1, 2.5, None, {"deep": "ünïcode"}], "a": 1e-7, "c": True},
        "context": {"k": "v"},
        "tags": ["z", "a", "env:prod"],
        "labels": {"x": 1},
        "idempotency_key": "key-1",
        "empirical_policy": {"retries": 2, "retry_delay": 5, "pause_keys": ["p"]},
        "job_variables": {"image": "python:3.11"},
        "state": {
            "type": "SCHEDULED",
            "name": "Late",
            "message": "waiting ✓",
            "state_details": {
                "scheduled_time": "2031-01-01T00:00:00Z",
                "cache_key": "c",
                "pause_keys": ["a"],
            },
        },
    }
