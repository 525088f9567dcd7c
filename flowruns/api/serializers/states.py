from __future__ import annotations

from typing import Any

from rest_framework import serializers

from flowruns.api.wire.encoding import dt
from flowruns.services.state_codec import details_to_json


def state_out(state: Any) -> dict[str, Any]:
    """A state row, or an engine `State`, as Prefect's State JSON."""
    return {
        "id": str(state.id),
        "type": str(state.type),
        "name": state.name,
        "timestamp": dt(state.timestamp),
        "message": state.message,
        "data": state.data,
        "state_details": details_to_json(state.state_details),
    }


class StateSerializer(serializers.BaseSerializer):
    """A flow-run or task-run state row."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return state_out(instance)
