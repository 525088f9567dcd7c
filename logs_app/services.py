from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from events.bus import publish_logs
from flowruns.services.deletion import raw_delete
from logs_app.api.serializers import LogSerializer
from logs_app.models import Log
from orchestration.ids import uuid7


def logs_delete_for_runs(run_ids: Sequence[UUID]) -> int:
    """Delete the logs of these flow runs (one indexed DELETE on flow_run_id); returns the
    number of rows deleted."""
    if not run_ids:
        return 0
    return raw_delete(Log.objects.filter(flow_run_id__in=list(run_ids)))


def logs_delete_for_task_runs(task_run_ids: Sequence[UUID]) -> int:
    """Delete the logs of these task runs (indexed on task_run_id)."""
    if not task_run_ids:
        return 0
    return raw_delete(Log.objects.filter(task_run_id__in=list(task_run_ids)))


def _strip_nul(text: str) -> str:
    # PostgreSQL text cannot hold NUL; Prefect drops them rather than failing the batch.
    return text.replace("\x00", "")


def logs_create(*, logs: Iterable[dict[str, Any]], batch_size: int = 1000) -> int:
    """Insert a batch of logs in one statement (per `batch_size` rows).

    Ids are UUIDv7, as Prefect's, so a batch's ids follow the order it was sent in.
    """
    now = timezone.now()
    rows = [
        Log(
            id=uuid7(),
            created=now,
            updated=now,
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
    # `/api/logs/out` subscribers, once committed (events.bus; wire form as the REST read)
    transaction.on_commit(lambda: publish_logs(LogSerializer(rows, many=True).data))
    return len(rows)
