"""INSERT and UPDATE of one model row with SQL built once per model and column set.

`Model.save()` compiles its statement on every call, which on the write paths taken by every
run creation and state change costs more CPU than PostgreSQL spends executing it. These send
the statement `save()` would send (same columns, values prepared by each field as `save()`
prepares them, through Django's cursor, so errors are Django's `IntegrityError` and the like)
from SQL kept per database, model and column set. There are no model signals in this project;
`updated` follows `TimestampedModel.save()`: equal to `created` on insert, now on update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import DatabaseError, connections, router
from django.utils import timezone

from flowruns.statement_cursor import statement_cursor

_SQL: dict[tuple[str, str, type[Any], tuple[str, ...]], str] = {}


def _fields_sql(kind: str, model: type[Any], names: tuple[str, ...], using: str) -> str:
    key = (kind, using, model, names)
    sql = _SQL.get(key)
    if sql is None:
        quote = connections[using].ops.quote_name
        fields = [model._meta.get_field(name) for name in names]
        table = quote(model._meta.db_table)
        if kind == "insert":
            columns = ", ".join(quote(field.column) for field in fields)
            values = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"
        else:
            columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            sql = f"UPDATE {table} SET {columns} WHERE {quote(model._meta.pk.column)} = %s"
        _SQL[key] = sql
    return sql


def row_insert_statement(instance: Any, *, using: str | None = None) -> tuple[str, list[Any], str]:
    """The INSERT `row_insert` sends, unsent: `(sql, params, using)` (`updated` = `created`)."""
    model = type(instance)
    using = using or router.db_for_write(model, instance=instance)
    connection = connections[using]
    instance.updated = instance.created
    fields = model._meta.concrete_fields
    names = tuple(field.name for field in fields)
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    return _fields_sql("insert", model, names, using), params, using


def row_inserted(instance: Any, using: str) -> None:
    """Mark `instance` as saved once its INSERT has run."""
    instance._state.adding = False
    instance._state.db = using
    instance.__dict__.pop(_DEFERRED, None)


def row_insert(instance: Any, *, using: str | None = None) -> None:
    """`instance.save(force_insert=True)` for a new row of a `TimestampedModel`."""
    sql, params, using = row_insert_statement(instance, using=using)
    with statement_cursor(connections[using]) as cursor:
        cursor.execute(sql, params)
    row_inserted(instance, using)


# A new run whose INSERT waits for its first state, so that both go in one statement
# (`services.state_writes.run_record_state`) and the row is written once, not inserted and then
# updated (a second row version and an entry in every index).
_DEFERRED = "_row_insert_deferred"


def row_insert_defer(instance: Any) -> None:
    instance.__dict__[_DEFERRED] = True


def row_insert_deferred(instance: Any) -> bool:
    return bool(instance.__dict__.get(_DEFERRED))


def row_update_statement(
    instance: Any, names: Sequence[str], values: Mapping[str, Any] | None = None
) -> tuple[str, list[Any], str]:
    """The UPDATE `row_update` sends, unsent: `(sql, params, using)`. `updated` is now (set on
    the instance); `values` gives columns' values instead of the instance's attributes (by
    field name; a foreign key's value is the related row's key), leaving the instance as it
    is, for a caller that learns only afterwards whether the UPDATE ran."""
    model = type(instance)
    using = instance._state.db or router.db_for_write(model, instance=instance)
    connection = connections[using]
    instance.updated = timezone.now()
    given = values or {}
    ordered = tuple(sorted({*names, "updated"}))
    fields = [model._meta.get_field(name) for name in ordered]
    params = [
        field.get_db_prep_save(
            given[field.name] if field.name in given else getattr(instance, field.attname),
            connection,
        )
        for field in fields
    ]
    params.append(model._meta.pk.get_db_prep_value(instance.pk, connection))
    return _fields_sql("update", model, ordered, using), params, using


def row_update(instance: Any, names: Sequence[str]) -> None:
    """`instance.save(update_fields=names)` (with `updated`) for an existing row."""
    model = type(instance)
    sql, params, using = row_update_statement(instance, names)
    with statement_cursor(connections[using]) as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            raise DatabaseError(f"{model.__name__} {instance.pk} was not updated")
