"""Writing logs: inserting batches, deleting a run's logs, and log retention."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.bus import publish_logs
from flowruns.selectors.keyset import batch_span_q, keyset_batches
from flowruns.services.deletion import BatchCallback, DeletionSummary, raw_delete
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


LOG_KEYS = ("timestamp", "id")


def logs_delete_matching(
    *, where: Q, batch_size: int = 5000, on_batch: BatchCallback | None = None
) -> DeletionSummary:
    """Delete the logs matching `where` in keyset batches on (timestamp, id), each batch its
    own transaction (nothing references a log, so no row lock is needed).

    A batch is deleted as the key range it spans, `(previous batch's last key, this batch's
    last key]`, re-checking `where`: one range DELETE over the timestamp index instead of an IN
    list of thousands of ids (about 7x faster on PostgreSQL). A matching log that arrives inside
    an already-walked range is deleted with it, which is what the selection asks for anyway.
    """
    summary = DeletionSummary()
    previous = None
    for batch in keyset_batches(Log.objects.filter(where), keys=LOG_KEYS, batch_size=batch_size):
        span = batch_span_q(LOG_KEYS, previous, batch[-1])
        began = time.monotonic()
        with transaction.atomic():
            deleted = raw_delete(Log.objects.filter(where).filter(span))
        summary.batch_took(time.monotonic() - began)
        summary.deleted += deleted
        previous = batch[-1]
        if on_batch is not None:
            on_batch(summary)
    return summary


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
