from __future__ import annotations

from typing import Any

from flowruns.api.serializers.base import ORMSerializer


class VariableSerializer(ORMSerializer):
    """A Variable in Prefect's key order (spec/concurrency.md §6.1)."""

    def fields_out(self, variable: Any) -> dict[str, Any]:
        return {"name": variable.name, "value": variable.value, "tags": variable.tags}
