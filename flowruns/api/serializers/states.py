from __future__ import annotations

from typing import Any

from rest_framework import serializers

from flowruns.api.wire.encoding import dt

STATE_DETAILS_DEFAULTS: dict[str, Any] = {
    "flow_run_id": None,
    "task_run_id": None,
    "child_flow_run_id": None,
    "scheduled_time": None,
    "cache_key": None,
    "cache_expiration": None,
    "deferred": False,
    "untrackable_result": False,
    "pause_timeout": None,
    "pause_reschedule": False,
    "pause_key": None,
    "run_input_keyset": None,
    "refresh_cache": None,
    "retriable": None,
    "transition_id": None,
    "task_parameters_id": None,
    "traceparent": None,
    "deployment_concurrency_lease_id": None,
}


def state_details_out(stored: dict[str, Any] | None) -> dict[str, Any]:
    """Stored details are already JSON-encoded; fill missing keys in Prefect's order."""
    if not stored:
        return dict(STATE_DETAILS_DEFAULTS)
    return {key: stored.get(key, default) for key, default in STATE_DETAILS_DEFAULTS.items()}


def state_out(state: Any) -> dict[str, Any]:
    return {
        "id": str(state.id),
        "type": state.type,
        "name": state.name,
        "timestamp": dt(state.timestamp),
        "message": state.message,
        "data": state.data,
        "state_details": state_details_out(state.state_details),
    }


class StateSerializer(serializers.BaseSerializer):
    """A flow-run or task-run state row."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return state_out(instance)
