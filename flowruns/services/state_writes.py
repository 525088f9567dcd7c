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

from django.db import connections, router

from access.actors import current_actor
from orchestration.states import State

from .row_writes import row_update
from .run_kinds import RunKind
from .state_codec import details_to_json, is_unpersisted


def state_row_insert(kind: RunKind, run: Any, state: State) -> Any | None:
    """Insert `state` as a state row of `run`: the new row, or None when a row with its id,
    or a state of this run with its timestamp, exists already (nothing is written then).

    One `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL and SQLite alike);
    Django's `bulk_create(ignore_conflicts=True)` cannot say whether the row went in.
    """
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
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        f"VALUES ({values}) ON CONFLICT DO NOTHING "
        f"RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    )
    params = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone() is not None
    if not inserted:
        return None
    row._state.adding = False
    row._state.db = using
    return row


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
    """
    row = state_row_insert(kind, run, state)
    if row is None:
        return False
    if make_current:
        changes = {
            **(run_updates or {}),
            "state": row,
            "state_type": state.type.value,
            "state_name": state.name,
            "state_timestamp": state.timestamp,
        }
        for field, value in changes.items():
            setattr(run, field, value)
        row_update(run, list(changes))
    return True
