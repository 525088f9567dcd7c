from __future__ import annotations

from typing import Any

from rest_framework import serializers

from flowruns.api.wire.encoding import dt, uid


class LogSerializer(serializers.BaseSerializer):
    """A Log in Prefect's key order (spec/api.md §3.9)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": str(instance.id),
            "created": dt(instance.created),
            "updated": dt(instance.updated),
            "name": instance.name,
            "level": instance.level,
            "message": instance.message,
            "timestamp": dt(instance.timestamp),
            "flow_run_id": uid(instance.flow_run_id),
            "task_run_id": uid(instance.task_run_id),
        }
