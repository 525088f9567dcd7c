from __future__ import annotations

from typing import Any

from rest_framework import serializers

from flowruns.api.wire.encoding import dt


class FlowRunInputSerializer(serializers.BaseSerializer):
    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": str(instance.id),
            "created": dt(instance.created),
            "updated": dt(instance.updated),
            "flow_run_id": str(instance.flow_run_id),
            "key": instance.key,
            "value": instance.value,
            "sender": instance.sender,
        }
