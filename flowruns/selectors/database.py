"""Whether the database answers: the readiness probe (`/api/ready`)."""

from __future__ import annotations

from django.db import DatabaseError, connection


def database_answers() -> DatabaseError | None:
    """None when a trivial query succeeds, else the error that stopped it. A broken reused
    connection is replaced first (`CONN_HEALTH_CHECKS`), so this sees the database as it is."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return exc
    return None
