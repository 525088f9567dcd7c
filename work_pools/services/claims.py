"""Claims: a scheduled run handed to one poll is not handed to another while the claim is
live (see `work_pools.models.FlowRunClaim` and the README, "Work pools and workers").

A claim is won by one INSERT … ON CONFLICT DO UPDATE … WHERE the old claim expired …
RETURNING: the primary key decides between concurrent polls, so two polls can never both win
the same run, whatever their snapshots saw. (On PostgreSQL the candidate rows are also read
`FOR UPDATE SKIP LOCKED`, so concurrent polls mostly pick different runs instead of losing
claims to each other.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection

from config.prefect_settings import parse_seconds, setting_read

from ..models import FlowRunClaim

CLAIM_SECONDS_SETTING = "WORK_POOL_RUN_CLAIM_SECONDS"


def claim_duration() -> timedelta:
    """How long a handed-out run stays reserved for its worker (30 s by default: a worker
    proposes PENDING within a second or two of receiving a run)."""
    return setting_read(CLAIM_SECONDS_SETTING, timedelta(seconds=30), parse_seconds)


def runs_claim(run_ids: Sequence[UUID], *, now: datetime) -> set[UUID]:
    """Claim the runs that have no live claim; answer the ids this call won."""
    if not run_ids:
        return set()
    table = FlowRunClaim._meta.db_table
    fields = FlowRunClaim._meta
    pk = fields.get_field("flow_run")
    stamp = fields.get_field("expires_at")
    expires = now + claim_duration()
    values = []
    params: list[Any] = []
    for run_id in run_ids:
        values.append("(%s, %s, %s)")
        params += [
            pk.get_db_prep_value(run_id, connection),
            stamp.get_db_prep_value(now, connection),
            stamp.get_db_prep_value(expires, connection),
        ]
    sql = (
        f"INSERT INTO {table} (flow_run_id, claimed_at, expires_at) VALUES {', '.join(values)} "
        "ON CONFLICT (flow_run_id) DO UPDATE SET claimed_at = excluded.claimed_at, "
        f"expires_at = excluded.expires_at WHERE {table}.expires_at <= %s "
        "RETURNING flow_run_id"
    )
    params.append(stamp.get_db_prep_value(now, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {UUID(str(row[0])) for row in cursor.fetchall()}


def claims_prune(*, now: datetime) -> int:
    """Delete lapsed claims (the foreman does this every pass)."""
    deleted, _ = FlowRunClaim.objects.filter(expires_at__lte=now).delete()
    return deleted
