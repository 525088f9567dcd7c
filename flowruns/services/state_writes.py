"""Writing a state row and making it a run's current state: the one place that does either.

Two callers decide *which* state to write, and both end here:

* orchestration (`services.orchestrating`), where the server's policy decided, under the run
  lock, and the state always becomes current;
* the task-run recorder (`events.recorder`), where a client orchestrated its own task run and
  reports the outcome as an event; the state becomes current only when it is newer than the
  run's (spec/events.md §6.4), but its row is written either way.

The insert ignores conflicts on any unique key — the state id, or the run's
`(run, timestamp)` — and says whether it wrote: a resent event writes nothing, and
orchestration, whose ids and timestamps are fresh, treats a conflict as the error it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import DatabaseError, connections, router

from access.actors import current_actor
from flowruns.statement_cursor import statement_cursor
from orchestration.states import State

from .row_writes import (
    row_insert_deferred,
    row_insert_statement,
    row_inserted,
    row_update,
    row_update_statement,
)
from .run_kinds import RunKind
from .state_codec import details_to_json, is_unpersisted

_INSERT_SQL: dict[tuple[str, type[Any]], str] = {}


def _insert_sql(model: Any, using: str) -> str:
    sql = _INSERT_SQL.get((using, model))
    if sql is None:
        quote = connections[using].ops.quote_name
        fields = model._meta.concrete_fields
        columns = ", ".join(quote(field.column) for field in fields)
        values = ", ".join(["%s"] * len(fields))
        sql = _INSERT_SQL[(using, model)] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"VALUES ({values}) ON CONFLICT DO NOTHING "
            f"RETURNING {quote(model._meta.pk.column)}"
        )
    return sql


def _state_row(kind: RunKind, run: Any, state: State) -> tuple[Any, str, list[Any]]:
    """The state row for `state` (unsaved), its INSERT and the INSERT's parameters."""
    model: Any = kind.state_model
    row = model(
        id=state.id,
        type=state.type.value,
        name=state.name,
        timestamp=state.timestamp,
        message=state.message,
        data=None if is_unpersisted(state.data) else state.data,
        state_details=details_to_json(state.state_details),
        actor=current_actor(),
        **{kind.run_field: run},
    )
    row.updated = row.created
    using = router.db_for_write(model)
    connection = connections[using]
    params = [
        field.get_db_prep_save(getattr(row, field.attname), connection)
        for field in model._meta.concrete_fields
    ]
    return row, using, params


def _saved(row: Any, using: str) -> Any:
    row._state.adding = False
    row._state.db = using
    return row


def state_row_insert(kind: RunKind, run: Any, state: State) -> Any | None:
    """Insert `state` as a state row of `run`: the new row, or None when a row with its id,
    or a state of this run with its timestamp, exists already (nothing is written then).

    One `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL and SQLite alike);
    Django's `bulk_create(ignore_conflicts=True)` cannot say whether the row went in.
    """
    row, using, params = _state_row(kind, run, state)
    with statement_cursor(connections[using]) as cursor:
        cursor.execute(_insert_sql(kind.state_model, using), params)
        inserted = cursor.fetchone() is not None
    return _saved(row, using) if inserted else None


def run_record_state(
    kind: RunKind,
    run: Any,
    state: State,
    *,
    make_current: bool,
    run_updates: Mapping[str, Any] | None = None,
) -> bool:
    """Write `state` for a run the caller has locked (or has just inserted).

    The state row is always inserted (conflicts ignored, see `state_row_insert`). With
    `make_current` the run then points at it, its denormalised state columns mirror it, and
    `run_updates` (column values, already in their stored form) are saved with them, in one
    UPDATE. False, with nothing written, when the row existed already.

    On PostgreSQL both go in one statement (the UPDATE in a data-modifying CTE that runs only
    when the INSERT wrote; the run's foreign key to its state is checked at commit), which
    saves a round trip on every state change. A new run whose INSERT was deferred
    (`row_writes.row_insert_defer`) is inserted in that statement instead of updated.
    """
    if not make_current:
        return state_row_insert(kind, run, state) is not None
    row, using, insert_params = _state_row(kind, run, state)
    insert_sql = _insert_sql(kind.state_model, using)
    if connections[using].vendor != "postgresql":
        with statement_cursor(connections[using]) as cursor:
            cursor.execute(insert_sql, insert_params)
            if cursor.fetchone() is None:
                return False
        _make_current(run, _saved(row, using), state, run_updates)
        row_update(run, _current_fields(run_updates))
        return True
    if row_insert_deferred(run):
        return _insert_run_with_state(run, row, state, run_updates, insert_sql, insert_params)
    fields = _current_fields(run_updates)
    columns = {**_current_values(row, state, run_updates), "state": row.pk}
    update_sql, update_params, _ = row_update_statement(run, fields, columns)
    sql = (
        f"WITH s AS ({insert_sql}), "
        f"u AS ({update_sql} AND EXISTS (SELECT 1 FROM s) RETURNING 1) "
        "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM u)"
    )
    with statement_cursor(connections[using]) as cursor:
        cursor.execute(sql, [*insert_params, *update_params])
        inserted, updated = cursor.fetchone()
    if not inserted:
        return False
    if updated != 1:
        raise DatabaseError(f"{type(run).__name__} {run.pk} was not updated")
    _make_current(run, row, state, run_updates)
    _saved(row, using)
    return True


def _insert_run_with_state(
    run: Any,
    row: Any,
    state: State,
    run_updates: Mapping[str, Any] | None,
    insert_sql: str,
    insert_params: list[Any],
) -> bool:
    """A new run's INSERT (`row_writes.row_insert_defer`) with its first state row, in one
    statement: the run is written once, already pointing at its state (PostgreSQL)."""
    _make_current(run, row, state, run_updates)
    run_sql, run_params, using = row_insert_statement(run)
    sql = (
        f"WITH s AS ({insert_sql}), r AS ({run_sql} RETURNING 1) "
        "SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM r)"
    )
    with statement_cursor(connections[using]) as cursor:
        cursor.execute(sql, [*insert_params, *run_params])
        inserted, run_inserted = cursor.fetchone()
    if run_inserted != 1:
        raise DatabaseError(f"{type(run).__name__} {run.pk} was not inserted")
    row_inserted(run, using)
    if not inserted:
        return False
    _saved(row, using)
    return True


def _current_fields(run_updates: Mapping[str, Any] | None) -> list[str]:
    return [*(run_updates or {}), "state", "state_type", "state_name", "state_timestamp"]


def _current_values(
    row: Any, state: State, run_updates: Mapping[str, Any] | None
) -> dict[str, Any]:
    return {
        **(run_updates or {}),
        "state": row,
        "state_type": state.type.value,
        "state_name": state.name,
        "state_timestamp": state.timestamp,
    }


def _make_current(run: Any, row: Any, state: State, run_updates: Mapping[str, Any] | None) -> None:
    for field, value in _current_values(row, state, run_updates).items():
        setattr(run, field, value)
