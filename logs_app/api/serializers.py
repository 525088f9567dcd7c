from __future__ import annotations

from typing import Any

from flowruns.api.serializers.base import ORMSerializer
from flowruns.api.wire.encoding import dt, uid


class LogSerializer(ORMSerializer):
    """A Log in Prefect's key order (spec/api.md §3.9)."""

    def fields_out(self, log: Any) -> dict[str, Any]:
        return {
            "name": log.name,
            "level": log.level,
            "message": log.message,
            "timestamp": dt(log.timestamp),
            "flow_run_id": uid(log.flow_run_id),
            "task_run_id": uid(log.task_run_id),
        }
