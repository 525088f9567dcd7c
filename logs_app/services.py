from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from logs_app.models import Log


def logs_delete_for_runs(run_ids: Sequence[UUID]) -> int:
    """Delete the logs of these flow runs (one indexed DELETE on flow_run_id)."""
    queryset = Log.objects.filter(flow_run_id__in=list(run_ids))
    return queryset._raw_delete(queryset.db)


def _strip_nul(text: str) -> str:
    return text.replace("\x00", "")


def logs_create(*, logs: Iterable[dict[str, Any]], batch_size: int = 1000) -> int:
    """Insert a batch of logs in one statement (per `batch_size` rows)."""
    rows = [
        Log(
            name=_strip_nul(item["name"]),
            level=item["level"],
            message=_strip_nul(item["message"]),
            timestamp=item["timestamp"],
            flow_run_id=item.get("flow_run_id"),
            task_run_id=item.get("task_run_id"),
        )
        for item in logs
    ]
    Log.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)
