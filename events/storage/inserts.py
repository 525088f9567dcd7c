"""Idempotent inserts into `events` and `event_resources`.

`INSERT ... ON CONFLICT DO NOTHING RETURNING id` says which events were new: a resent event
(same id, and on PostgreSQL the same `occurred`, see below) inserts nothing and returns
nothing, so it writes no resource rows. On PostgreSQL the arbiter is the primary key
`(occurred, id)`: a resend carries the `occurred` it was first sent with (the client keeps the
event object and resends it verbatim), so it conflicts; the same id with another `occurred`
would be stored twice there, and once on SQLite (whose primary key is `id`).

An insert that finds no partition for a day (SQLSTATE 23514, "no partition of relation ...
found for row") creates the partitions of the batch's days and runs again; the first attempt
runs in a savepoint so the caller's transaction survives it. Once an insert into a day's
partition has committed in this process, later inserts for that day (today or later) skip the
savepoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connections, transaction

from events.models import Event, EventResource
from events.schemas.event import RESOURCE_ID, RESOURCE_ROLE, ReceivedEvent
from flowruns.statement_cursor import statement_cursor

from .partitions import day_of, is_partitioned, partitions_ensure

EVENT_COLUMNS = (
    "id",
    "occurred",
    "received",
    "event",
    "resource_id",
    "resource",
    "related",
    "related_resource_ids",
    "payload",
    "follows",
)
RESOURCE_COLUMNS = ("event_id", "occurred", "resource_id", "resource_role", "resource")
MAX_ROWS_PER_STATEMENT = 500


def _chunks(rows: list[Any], width: int, connection: Any) -> list[list[Any]]:
    max_params = getattr(connection.features, "max_query_params", None) or 999
    size = max(1, min(MAX_ROWS_PER_STATEMENT, max_params // width))
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _is_missing_partition(error: IntegrityError) -> bool:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "23514" and "no partition" in str(error)


def _insert(
    model: type[Any],
    columns: tuple[str, ...],
    rows: list[dict[str, Any]],
    *,
    returning: str | None,
    using: str,
) -> list[Any]:
    """One multi-row INSERT per chunk; the values of `returning` of the rows inserted."""
    connection = connections[using]
    fields = [model._meta.get_field(column) for column in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returned: list[Any] = []
    for chunk in _chunks(rows, len(columns), connection):
        sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(chunk))}"
        if returning:
            sql += f" ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(returning)}"
        params = [
            field.get_db_prep_save(row[field.name], connection) for row in chunk for field in fields
        ]
        days = {day_of(row["occurred"]) for row in chunk}
        returned.extend(_execute(sql, params, days, returning is not None, using))
    return returned


def _execute(
    sql: str, params: list[Any], days: set[Any], fetch: bool, using: str, *, prepared: bool = False
) -> list[Any]:
    connection = connections[using]

    def run() -> list[Any]:
        with statement_cursor(connection) if prepared else connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()] if fetch else []

    if not is_partitioned(using):
        return run()
    if _known(days):
        return run()  # the common case: today's partition exists, no savepoint needed
    try:
        with transaction.atomic(using=using):
            rows = run()
    except IntegrityError as error:
        if not _is_missing_partition(error):
            raise
        partitions_ensure(days, using=using)
        rows = run()
    # Known only once committed: a rolled-back transaction may have created the partition.
    transaction.on_commit(lambda: _KNOWN_DAYS.update(days), using=using)
    return rows


# Days from today on whose partitions this process has inserted into. Retention only drops days
# older than its period, so these stay valid; older days always take the savepoint path.
_KNOWN_DAYS: set[date] = set()


def _known(days: set[date]) -> bool:
    today = datetime.now(UTC).date()
    for day in list(_KNOWN_DAYS):
        if day < today:
            _KNOWN_DAYS.discard(day)
    return bool(days) and all(day >= today and day in _KNOWN_DAYS for day in days)


def _event_rows(events: Sequence[ReceivedEvent]) -> list[dict[str, Any]]:
    return [
        {
            "id": event.id,
            "occurred": event.occurred,
            "received": event.received,
            "event": event.event,
            "resource_id": event.resource_id,
            "resource": event.resource,
            "related": event.related,
            "related_resource_ids": event.related_resource_ids,
            "payload": event.payload,
            "follows": event.follows,
        }
        for event in events
    ]


def events_insert_new(events: Sequence[ReceivedEvent], *, using: str = "default") -> set[UUID]:
    """Insert the events; returns the ids of those that were not stored already."""
    inserted = _insert(Event, EVENT_COLUMNS, _event_rows(events), returning="id", using=using)
    return {value if isinstance(value, UUID) else UUID(str(value)) for value in inserted}


# Events stored with their resource rows in one statement (PostgreSQL): at most this many.
COMBINED_MAX_EVENTS = 50
_RESOURCE_CASTS = ("uuid", "timestamptz", "text", "text", "jsonb")


def events_insert_new_with_resources(
    events: Sequence[ReceivedEvent], *, using: str = "default"
) -> set[UUID] | None:
    """PostgreSQL, up to `COMBINED_MAX_EVENTS` events: `events_insert_new` and then
    `event_resources_insert` for the events that were new, in one statement (the resource
    rows' INSERT reads the ids the events' INSERT returned, in a data-modifying CTE): a round
    trip fewer on every state change, whose event is stored in its transaction. None when
    the batch does not qualify (nothing is written then: use the two calls)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not events or len(events) > COMBINED_MAX_EVENTS:
        return None
    quote = connection.ops.quote_name
    event_fields: list[Any] = [Event._meta.get_field(column) for column in EVENT_COLUMNS]
    resource_fields: list[Any] = [
        EventResource._meta.get_field(column) for column in RESOURCE_COLUMNS
    ]
    event_rows = _event_rows(events)
    resource_rows = _resource_rows(events)
    event_values = "(" + ", ".join(["%s"] * len(EVENT_COLUMNS)) + ")"
    resource_values = "(" + ", ".join(f"%s::{cast}" for cast in _RESOURCE_CASTS) + ")"
    names = ", ".join(quote(column) for column in RESOURCE_COLUMNS)
    sql = (
        f"WITH e AS (INSERT INTO {quote(Event._meta.db_table)} "
        f"({', '.join(quote(column) for column in EVENT_COLUMNS)}) "
        f"VALUES {', '.join([event_values] * len(event_rows))} "
        f"ON CONFLICT DO NOTHING RETURNING {quote('id')}), "
        f"r AS (INSERT INTO {quote(EventResource._meta.db_table)} ({names}) "
        f"SELECT {names} FROM (VALUES {', '.join([resource_values] * len(resource_rows))}) "
        f"AS v ({names}) WHERE v.{quote('event_id')} IN (SELECT {quote('id')} FROM e)) "
        f"SELECT {quote('id')} FROM e"
    )
    params = [
        field.get_db_prep_save(row[field.name], connection)
        for row in event_rows
        for field in event_fields
    ] + [
        field.get_db_prep_save(row[field.name], connection)
        for row in resource_rows
        for field in resource_fields
    ]
    days = {day_of(row["occurred"]) for row in event_rows}
    # One event (a state change's): a statement whose text repeats, prepared once per
    # connection. A batch's text depends on its size: not worth a prepared statement each.
    inserted = _execute(sql, params, days, True, using, prepared=len(events) == 1)
    return {value if isinstance(value, UUID) else UUID(str(value)) for value in inserted}


def _without_id_and_role(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k not in (RESOURCE_ID, RESOURCE_ROLE)}


def _resource_rows(events: Sequence[ReceivedEvent]) -> list[dict[str, Any]]:
    return [
        {
            "event_id": event.id,
            "occurred": event.occurred,
            "resource_id": resource[RESOURCE_ID],
            "resource_role": "" if index == 0 else resource[RESOURCE_ROLE],
            "resource": _without_id_and_role(resource),
        }
        for event in events
        for index, resource in enumerate([event.resource, *event.related])
    ]


def event_resources_insert(events: Sequence[ReceivedEvent], *, using: str = "default") -> int:
    """One row per involved resource: the primary (role "") and each related one."""
    rows = _resource_rows(events)
    _insert(EventResource, RESOURCE_COLUMNS, rows, returning=None, using=using)
    return len(rows)


def known_partitions_forget() -> None:
    """Forget which partitions exist (tests roll back what they pretended to commit)."""
    _KNOWN_DAYS.clear()
