from __future__ import annotations

from typing import Any

from .base import ORMSerializer


class FlowSerializer(ORMSerializer):
    def fields_out(self, flow: Any) -> dict[str, Any]:
        return {"name": flow.name, "tags": flow.tags, "labels": flow.labels}
