"""The base of the output serializers of stored objects."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from flowruns.api.wire.encoding import dt


class ORMSerializer(serializers.BaseSerializer):
    """Prefect's `ORMBaseModel`: `id`, `created` and `updated` first, then the keys
    `fields_out` returns, in its order."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": str(instance.id),
            "created": dt(instance.created),
            "updated": dt(instance.updated),
            **self.fields_out(instance),
        }

    def fields_out(self, instance: Any) -> dict[str, Any]:
        raise NotImplementedError
