"""What flow-run and task-run state writes share: the timestamp bump and persisting a result.

The caller holds the run's row lock. Nothing here decides anything; the engine did.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import models

from orchestration.engine import OrchestrationResult
from orchestration.states import State, StateType

from .state_codec import details_to_json, is_unpersisted


def lock_run_with_state(
    run_model: type[models.Model], state_model: type[models.Model], pk: Any
) -> Any:
    """Lock the run row, then read its current state through the locked row's pointer.

    Never join the state into the locking query: when PostgreSQL re-reads a row after
    waiting for its lock, only the locked row is refreshed, and a joined state would be the
    one current *before* the wait — the winner's transition would be invisible (fifty
    workers claiming one run all succeeded that way until the race tests caught it).
    """
    run: Any = run_model._default_manager.select_for_update().filter(pk=pk).first()
    if run is not None:
        state_id = run.state_id
        run.state = state_model._default_manager.filter(pk=state_id).first() if state_id else None
    return run


def unique_timestamp(
    state_model: type[models.Model], run_field: str, run: Any, now: datetime
) -> datetime:
    """G1: two states of one run may not share a timestamp; bump by 1 µs until free.

    The run row is locked and every state write comes through here, so only a proposal at or
    before the current state's timestamp can collide.
    """
    timestamp = now
    if run.state_timestamp is not None and timestamp <= run.state_timestamp:
        states = state_model._default_manager.filter(**{f"{run_field}_id": run.pk})
        while states.filter(timestamp=timestamp).exists():
            timestamp += timedelta(microseconds=1)
    return timestamp


def _column_value(value: Any) -> Any:
    if isinstance(value, StateType):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "as_json"):
        return value.as_json()
    return value


def insert_state(state_model: type[models.Model], run_field: str, run: Any, state: State) -> Any:
    return state_model._default_manager.create(
        id=state.id,
        type=state.type.value,
        name=state.name,
        timestamp=state.timestamp,
        message=state.message,
        data=None if is_unpersisted(state.data) else state.data,
        state_details=details_to_json(state.state_details),
        **{run_field: run},
    )


def persist_result(
    state_model: type[models.Model], run_field: str, run: Any, result: OrchestrationResult
) -> None:
    """Insert the state the engine decided to write and save the run fields it changed."""
    changed: set[str] = set()
    if result.state is not None:
        run.state = insert_state(state_model, run_field, run, result.state)
        changed.add("state")
    for field, value in result.run_updates.items():
        setattr(run, field, _column_value(value))
        changed.add(field)
    if changed:
        run.save(update_fields=sorted(changed))
