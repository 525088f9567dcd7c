"""Daily partitions of `events` and `event_resources` on PostgreSQL (no-ops on SQLite).

Each table has one partition per UTC day of `occurred`, `<table>_pYYYYMMDD`, holding
`[day 00:00, next day 00:00)`. They are made by `partitions_ensure`:

* ahead of time by the maintenance command (`delete_events`), for yesterday to a few days
  ahead, so ingestion normally never creates one;
* by ingestion, for whatever day an insert finds no partition for (a late or back-dated event,
  or when maintenance has not run), inside the ingesting transaction.

A partition is created standalone and then ATTACHed: ATTACH takes only a SHARE UPDATE
EXCLUSIVE lock on the parent, so concurrent inserts and reads go on (CREATE TABLE ...
PARTITION OF would take ACCESS EXCLUSIVE). An advisory lock serialises creators.

There is deliberately no DEFAULT partition: rows in it could only be removed by row deletes,
creating or attaching a partition while it exists takes an ACCESS EXCLUSIVE lock on it and
scans it, and DETACH ... CONCURRENTLY is refused. Instead every event has its day's partition,
and retention (`partitions_drop`) drops whole days.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connections, transaction

TABLES = ("events", "event_resources")
_SUFFIX = re.compile(r"_p(\d{4})(\d{2})(\d{2})$")
# pg_advisory_xact_lock key taken by every transaction creating partitions.
LOCK_KEY = 0x6576656E7473


def is_partitioned(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def partition_name(table: str, day: date) -> str:
    return f"{table}_p{day.year:04d}{day.month:02d}{day.day:02d}"


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _bound(day: date) -> str:
    return f"'{day.year:04d}-{day.month:02d}-{day.day:02d} 00:00:00+00'"


def _upper_bound(day: date) -> str:
    return "(MAXVALUE)" if day == date.max else f"({_bound(day + timedelta(days=1))})"


@dataclass(frozen=True)
class Partition:
    table: str
    day: date
    name: str


def partitions_list(*, using: str = "default") -> list[Partition]:
    """Every daily partition of both tables, oldest first."""
    if not is_partitioned(using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT parent.relname, child.relname
            FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = ANY(%s)
            """,
            [list(TABLES)],
        )
        rows = cursor.fetchall()
    found = []
    for table, name in rows:
        match = _SUFFIX.search(name)
        if match and name == partition_name(table, date(*map(int, match.groups()))):
            found.append(Partition(table, date(*map(int, match.groups())), name))
    return sorted(found, key=lambda p: (p.day, p.table))


def partitions_ensure(days: Iterable[date], *, using: str = "default") -> list[date]:
    """Create the missing partitions of both tables for these days (in the current
    transaction, or its own); returns the days for which something was created."""
    wanted = sorted(set(days))
    if not wanted or not is_partitioned(using):
        return []
    connection = connections[using]
    created: list[date] = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        existing = {(p.table, p.day) for p in partitions_list(using=using)}
        for day in wanted:
            missing = [table for table in TABLES if (table, day) not in existing]
            for table in missing:
                name = connection.ops.quote_name(partition_name(table, day))
                parent = connection.ops.quote_name(table)
                cursor.execute(
                    f"CREATE TABLE {name} (LIKE {parent} INCLUDING DEFAULTS INCLUDING STORAGE)"
                )
                cursor.execute(
                    f"ALTER TABLE {parent} ATTACH PARTITION {name} "
                    f"FOR VALUES FROM ({_bound(day)}) TO {_upper_bound(day)}"
                )
            if missing:
                created.append(day)
    return created


def partitions_drop(
    days: Iterable[date], *, using: str = "default", lock_timeout_ms: int = 5000
) -> list[date]:
    """Drop both tables' partitions of these days, one transaction per day.

    Dropping a partition takes an ACCESS EXCLUSIVE lock on the parent table for an instant;
    `lock_timeout` bounds the wait behind long queries (and so the queue of queries behind
    the DROP). A day that times out raises `OperationalError` and is left for the next run.
    """
    if not is_partitioned(using):
        return []
    connection = connections[using]
    present: dict[date, list[str]] = {}
    for partition in partitions_list(using=using):
        present.setdefault(partition.day, []).append(partition.name)
    dropped = []
    for day in sorted(set(days)):
        names = present.get(day)
        if not names:
            continue
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
            # No advisory lock here: an ingesting transaction holding a lock on `events` may
            # be waiting for it in `partitions_ensure`, and this DROP waits for that one.
            quoted = ", ".join(connection.ops.quote_name(name) for name in names)
            cursor.execute(f"DROP TABLE IF EXISTS {quoted}")
        dropped.append(day)
    return dropped


def partition_sizes(days: Iterable[date], *, using: str = "default") -> tuple[int, int]:
    """(estimated events, bytes on disk of both tables) of these days' partitions, from
    PostgreSQL's statistics: what a dry run reports without reading the rows."""
    names = [partition_name(table, day) for day in days for table in TABLES]
    if not names or not is_partitioned(using):
        return 0, 0
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT
                coalesce(sum(greatest(reltuples, 0)) FILTER (WHERE relname LIKE 'events_p%%'), 0),
                coalesce(sum(pg_total_relation_size(oid)), 0)
            FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'
            """,
            [names],
        )
        rows, size = cursor.fetchone()
    return int(rows), int(size)
