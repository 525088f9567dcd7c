from __future__ import annotations

from typing import Any

from rest_framework import serializers

from flowruns.api.wire.encoding import dt


class FlowSerializer(serializers.BaseSerializer):
    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": str(instance.id),
            "created": dt(instance.created),
            "updated": dt(instance.updated),
            "name": instance.name,
            "tags": instance.tags,
            "labels": instance.labels,
        }
