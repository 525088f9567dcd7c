"""A cursor for statements PostgreSQL parses and plans once per connection.

Django sends every statement as text with its values written in (psycopg's client-side
binding, PostgreSQL's simple query protocol), so PostgreSQL parses, analyses and plans it
afresh each time. For the hot statements, which differ only in their values (a run by id, the
INSERT and UPDATE a state change writes, its event), that work costs more than running them:
planning a run read (four joins over a table with two dozen indexes) takes ~0.2 ms, running it
~0.03 ms. `statement_cursor` sends them with server-side parameters as named prepared
statements (psycopg keeps them per connection, `prepare=True`): from the second execution on,
PostgreSQL does not parse them again, and from the sixth it keeps one generic plan when that
plan is no worse than the custom ones it made for the first five (for a lookup by key it never
is worse: `pg_prepared_statements` shows the generic plans counted).

Only for statements whose text is fixed and whose best plan does not depend on the values:
a filter whose plan depends on which state or tag it asks for keeps Django's cursor.

`DATABASE_PREPARED_STATEMENTS=false` turns it off, for a connection pooler that cannot carry
named prepared statements between clients (PgBouncer in transaction mode before 1.21, or
without `max_prepared_statements`). On SQLite this is Django's cursor.

The cursor is Django's cursor wrapper (statements are logged and counted like any other,
errors are Django's), around psycopg's server-binding cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base as postgresql_base
from django.db.backends.utils import CursorWrapper


def prepared_statements_on(connection: Any) -> bool:
    return connection.vendor == "postgresql" and bool(
        getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)
    )


@contextmanager
def statement_cursor(connection: Any) -> Iterator[Any]:
    """A cursor of `connection` (a Django connection) whose `execute(sql, params)` sends `sql`
    (with `%s` placeholders, as Django writes them) as a prepared statement on PostgreSQL."""
    if not prepared_statements_on(connection):
        with connection.cursor() as cursor:
            yield cursor
        return
    # What `connection.cursor()` does before it makes its cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _PreparingCursor(connection.connection)
    wrapped = (
        _LoggedStatements(raw, connection)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with wrapped as cursor:
        yield cursor


# Defined by Django's PostgreSQL backend for psycopg 3 only (which this project requires).
_ServerBindingCursor: Any = postgresql_base.ServerBindingCursor
_CursorDebugWrapper: Any = postgresql_base.CursorDebugWrapper


class _PreparingCursor(_ServerBindingCursor):
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs["prepare"] = True
        return super().execute(query, params, **kwargs)


class _LoggedStatements(_CursorDebugWrapper):
    """Logs a statement with its values written in, as Django logs its own (psycopg has no
    text with values for a prepared statement)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        try:
            shown = sql if params is None else self.db.ops.compose_sql(sql, params)
        except psycopg.errors.DataError:
            shown = sql
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)
