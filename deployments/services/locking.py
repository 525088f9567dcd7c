"""One lock per deployment that serialises everything that writes its schedules or its
scheduled runs: the scheduler's insert for the deployment, and the create/upsert, PATCH,
pause, schedule edits and delete that remove or rebuild those runs.

It is a transaction-scoped PostgreSQL advisory lock, not a row lock on `deployment`:
orchestration locks a run and then its deployment row (taking a concurrency slot), while an
edit deletes the deployment's scheduled runs; holding the deployment *row* while waiting for a
run's lock could deadlock with it. The advisory lock orders only the writers named above.
SQLite serialises every write transaction already: nothing to do there.
"""

from __future__ import annotations

from uuid import UUID

from django.db import connection

# Namespace of these locks (the two-key form: the first key is this class id).
LOCK_CLASS = 0x64706C79  # b"dply"


def deployment_lock(deployment_id: UUID) -> None:
    """Take the deployment's write lock until the end of the current transaction."""
    if connection.vendor != "postgresql":
        return
    object_id = int.from_bytes(UUID(str(deployment_id)).bytes[:4], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, object_id])
