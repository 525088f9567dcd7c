"""Which generated tuple goes into which table, checked against the models.

The generator writes a fixed column list per table. Here that list is compared with the
model: a model column the generator does not know about is filled with the field's default
(or NULL), so a new field with a default does not break the seeder; a generated column the
model no longer has is an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from flowruns.models import FlowRun, FlowRunState, TaskRun, TaskRunState

from .rows import (
    LOG_COLUMNS,
    RUN_COLUMNS,
    STATE_COLUMNS,
    TASK_RUN_COLUMNS,
    TASK_STATE_COLUMNS,
)


@dataclass(frozen=True)
class Table:
    name: str
    batch_attr: str  # the list on rows.Batch that holds its rows
    columns: tuple[str, ...]  # generated columns followed by defaulted ones
    extra: tuple[Any, ...]  # values appended to every generated tuple
    fields: tuple[models.Field, ...]  # in `columns` order


def _default(field: models.Field) -> Any:
    if field.has_default():
        value = field.get_default()
        return json.dumps(value) if isinstance(field, models.JSONField) else value
    if field.null:
        return None
    raise SystemExit(
        f"{field.model.__name__}.{field.name} is NOT NULL without a default; "
        "add it to its column list in flowruns/seeding/rows.py and fill it in the row "
        "factory (flow_run_rows.py or child_rows.py)."
    )


def _table(model: type[models.Model], batch_attr: str, generated: tuple[str, ...]) -> Table:
    by_column = {f.column: f for f in model._meta.concrete_fields}
    unknown = [c for c in generated if c not in by_column]
    if unknown:
        raise SystemExit(
            f"{model._meta.db_table}: the generator writes columns the model no longer has: "
            f"{unknown}; update flowruns/seeding/rows.py and the row factories."
        )
    missing = [f for c, f in by_column.items() if c not in generated]
    return Table(
        name=str(model._meta.db_table),
        batch_attr=batch_attr,
        columns=generated + tuple(str(f.column) for f in missing),
        extra=tuple(_default(f) for f in missing),
        fields=tuple(by_column[c] for c in generated) + tuple(missing),
    )


def seeded_tables() -> list[Table]:
    """In load order (a run's states after the run, for readability; FKs are deferred)."""
    return [
        _table(FlowRun, "runs", RUN_COLUMNS),
        _table(FlowRunState, "states", STATE_COLUMNS),
        _table(TaskRun, "task_runs", TASK_RUN_COLUMNS),
        _table(TaskRunState, "task_states", TASK_STATE_COLUMNS),
        # Logs belong to logs_app, which depends on this app: look the model up, not import it.
        _table(apps.get_model("logs_app", "Log"), "logs", LOG_COLUMNS),
    ]
