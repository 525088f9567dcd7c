"""Django's column converters, with a cheaper one for JSON columns, applied to raw rows.

A page of 200 flow runs has nine JSON columns per run: `JSONField.from_db_value` parses each
through `json.loads`, whose Python layers (`loads`, `JSONDecoder.decode`, `raw_decode`) cost
more than the C scanner underneath for the small documents runs hold. `json_from_db` calls that
scanner directly when the text is one JSON document with nothing around it (what PostgreSQL
and SQLite send) and hands anything else to the field's own converter, so the values are
those Django would make.

On PostgreSQL the rows' timestamps are loaded by psycopg's own `timestamptz` loader, which
psycopg swaps for its C implementation, instead of the Python subclass Django registers on
every connection (it calls the pure-Python parser and then replaces the tzinfo: seven columns of
200 runs made it a quarter of a `/filter`'s time). Both give the instant in the session's time
zone, which Django sets to UTC; the wire renders either as `...Z` (`flowruns.encoding.dt`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from json.scanner import make_scanner
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import JSONField, QuerySet
from psycopg.types.datetime import TimestamptzLoader as _TimestamptzLoader

from flowruns.statement_cursor import statement_cursor

Converter = Callable[[Any, Any, Any], Any]
Converters = tuple[tuple[int, tuple[Converter, ...], Any], ...]

# The scanner json.loads ends in (C when available); it keeps no state between calls.
_scan_once = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def _fast_json(field_converter: Converter) -> Converter:
    def json_from_db(value: Any, expression: Any, connection: Any) -> Any:
        if type(value) is str:
            try:
                parsed, end = _scan_once(value, 0)
            except (StopIteration, json.JSONDecodeError):
                pass
            else:
                if end == len(value):
                    return parsed
        return field_converter(value, expression, connection)

    return json_from_db


def _cheaper(function: Converter) -> Converter:
    owner = getattr(function, "__self__", None)
    if (
        isinstance(owner, JSONField)
        and owner.decoder is None
        and getattr(function, "__func__", None) is JSONField.from_db_value
    ):
        return _fast_json(function)
    return function


def query_converters(compiler: Any) -> Converters:
    """The converters Django applies to the selected columns of `compiler`, by position."""
    columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
    return tuple(
        (position, tuple(_cheaper(function) for function in functions), expression)
        for position, (functions, expression) in compiler.get_converters(columns).items()
    )


def convert_rows(
    fetched: Sequence[Sequence[Any]], converters: Converters, connection: Any
) -> list[Sequence[Any]]:
    if not converters:
        return list(fetched)
    rows: list[Sequence[Any]] = []
    for fetched_row in fetched:
        row = list(fetched_row)
        for position, functions, expression in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        rows.append(row)
    return rows


def cursor_rows(
    connection: Any, sql: str, params: Sequence[Any], *, prepared: bool = False
) -> list[Any]:
    """Run one statement through Django's cursor (logged and counted like any other) and
    fetch its rows, timestamps loaded by psycopg's C loader on PostgreSQL (module docstring).
    `prepared`: a statement whose text and best plan do not depend on its values, sent as a
    prepared statement (`flowruns.statement_cursor`)."""
    with statement_cursor(connection) if prepared else connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.cursor.adapters.register_loader("timestamptz", _TimestamptzLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def values_rows(queryset: QuerySet[Any], *, using: str = "default") -> list[Sequence[Any]]:
    """The rows of a `values_list` queryset, as Django would make them (one statement,
    through Django's cursor), converted by `query_converters`."""
    connection = connections[using]
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a filter that can match nothing: Django answers no rows
        return []
    if not sql:
        return []
    converters = query_converters(compiler)
    return convert_rows(cursor_rows(connection, sql, params), converters, connection)
