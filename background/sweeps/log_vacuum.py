"""Log retention on a schedule (service `log_vacuum`, on when LOGS_RETENTION_DAYS is set):
logs timestamped more than that many days ago are deleted, whatever their run's state.

The deleting is `delete_logs`'s own service (`logs_delete_matching`): keyset batches of
PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE logs on (timestamp, id), each its own
transaction (nothing references a log, so no lock is taken). `delete_logs` writes no deletion
record, and neither does this. A pass deletes at most BATCHES_PER_PASS batches.
"""

from __future__ import annotations

from datetime import datetime

from background.sweep import SweepResult
from logs_app.models import Log
from logs_app.selectors import logs_retention_q
from logs_app.services import logs_delete_matching

from .vacuum_settings import vacuum_settings

SERVICE = "log_vacuum"
BATCHES_PER_PASS = 100


def logs_vacuum(now: datetime) -> SweepResult:
    settings = vacuum_settings()
    if settings.log_retention is None:
        return SweepResult()
    cutoff = now - settings.log_retention
    where = logs_retention_q(cutoff=cutoff, max_level=None)
    bound = settings.batch_size * BATCHES_PER_PASS
    last = (
        Log.objects.filter(where)
        .order_by("timestamp", "id")
        .values_list("timestamp", flat=True)[bound - 1 : bound]
        .first()
    )
    if last is not None:
        where = logs_retention_q(cutoff=last, max_level=None)
    summary = logs_delete_matching(where=where, batch_size=settings.batch_size)
    result = SweepResult(examined=summary.deleted, changed=summary.deleted)
    if summary.deleted:
        result.note(
            f"deleted {summary.deleted} logs timestamped before {cutoff:%Y-%m-%d %H:%M} "
            f"in {summary.batches} batches"
        )
    return result
