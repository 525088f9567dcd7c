from __future__ import annotations

from typing import Any

from .base import ORMSerializer


class FlowRunInputSerializer(ORMSerializer):
    def fields_out(self, row: Any) -> dict[str, Any]:
        return {
            "flow_run_id": str(row.flow_run_id),
            "key": row.key,
            "value": row.value,
            "sender": row.sender,
        }
