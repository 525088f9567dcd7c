"""A flow run's key/value inputs."""

from __future__ import annotations

from uuid import UUID

from django.db.models import F

from flowruns.filters.lookups import LikeStartsWith
from flowruns.models import FlowRunInput


def flow_run_input_get(*, flow_run_id: UUID, key: str) -> FlowRunInput | None:
    return FlowRunInput.objects.filter(flow_run_id=flow_run_id, key=key).first()


def flow_run_inputs_with_prefix(
    *, flow_run_id: UUID, prefix: str, exclude_keys: list[str], limit: int
) -> list[FlowRunInput]:
    """Oldest first, at most `limit` (all of them when `limit` is negative). Prefect matches
    `key LIKE prefix || '%'` with the prefix unescaped, so `%` and `_` in it are wildcards."""
    queryset = (
        FlowRunInput.objects.filter(LikeStartsWith(F("key"), prefix), flow_run_id=flow_run_id)
        .exclude(key__in=exclude_keys)
        .order_by("created", "id")
    )
    return list(queryset if limit < 0 else queryset[:limit])
