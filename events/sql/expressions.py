"""Vendor-specific SQL the ORM has no case-sensitive or exact form of on SQLite.

Django's `startswith`/`contains` become `LIKE` on SQLite, which ignores ASCII case; Prefect's
event names, resource ids and labels are case-sensitive, so prefixes and label patterns use
`GLOB` there and `LIKE` on PostgreSQL (where `event` and `resource_id` have the "C"
collation, so a prefix is an index range). Used as expressions, not registered on fields.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Func, IntegerField, Lookup, TextField
from django.db.models.sql.compiler import SQLCompiler

from events.patterns import split_negation, to_glob, to_like

_SQL = tuple[str, list[Any]]
SQLITE_LOWER = "events_lower"


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: Python's case folding for the text search."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


class _VendorLookup(Lookup):
    """The right-hand side is a plain string, never prepared by the field."""

    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: str) -> None:
        super().__init__(F(lhs) if isinstance(lhs, str) else lhs, rhs)

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> NoReturn:
        raise NotSupportedError(f"{type(self).__name__} supports PostgreSQL and SQLite only.")


class _PatternLookup(_VendorLookup):
    wildcards = True
    suffix = ""

    def _pattern(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, op: str) -> _SQL:
        lhs, params = self.process_lhs(compiler, connection)
        negated, body = split_negation(self.rhs) if self.wildcards else (False, self.rhs)
        if op == "GLOB":
            value = to_glob(body, wildcards=self.wildcards) + self.suffix
        else:
            value = to_like(body, wildcards=self.wildcards) + self.suffix.replace("*", "%")
        sql = f"{lhs} {op} %s"
        # NOT(NULL LIKE x) is NULL: a missing label never matches, even negated.
        return (f"NOT ({sql})" if negated else sql), [*params, value]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        return self._pattern(compiler, connection, "LIKE")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        return self._pattern(compiler, connection, "GLOB")


class Matches(_PatternLookup):
    """A label pattern (`*`, `?`, a leading `!`)."""

    lookup_name = "events_matches"


class StartsWith(_PatternLookup):
    """A case-sensitive literal prefix."""

    lookup_name = "events_startswith"
    wildcards = False
    suffix = "*"


class ContainsText(_VendorLookup):
    """`lhs` (already lower-cased) contains the lower-cased term as a substring."""

    lookup_name = "events_contains_text"

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*params, "%" + to_like(self.rhs, wildcards=False) + "%"]

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, params = self.process_lhs(compiler, connection)
        # instr() is exact and needs no escaping.
        return f"instr({lhs}, %s) > 0", [*params, self.rhs]


class SearchText(Func):
    """lower(name || ' ' || resource || ' ' || related || ' ' || payload JSON text): what the
    text filter searches (spec/events.md §8.1)."""

    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(F("event"), F("resource"), F("related"), F("payload"))

    def _joined(self, compiler: Any, cast: str) -> Any:
        parts: list[str] = []
        params: list[Any] = []
        for source in self.source_expressions:
            sql, source_params = compiler.compile(source)
            parts.append(f"{sql}{cast}")
            params.extend(source_params)
        return " || ' ' || ".join(parts), params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # `event` has the "C" collation, under which lower() folds ASCII only.
        joined, params = self._joined(compiler, '::text COLLATE "default"')
        return f"lower({joined})", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite's lower() folds ASCII only; events_lower is Python's str.lower, as the
        # in-memory matcher uses (registered by events.apps on every SQLite connection).
        joined, params = self._joined(compiler, "")
        return f"{SQLITE_LOWER}({joined})", params


class BucketIndex(Func):
    """floor((occurred - pivot) / width), with pivot and width in whole microseconds: the
    time bucket an event falls into (spec/events.md §8.4), in exact integer arithmetic."""

    output_field = IntegerField()

    def __init__(self, expression: Any, *, pivot_us: int, width_us: int) -> None:
        super().__init__(expression)
        self.pivot_us = pivot_us
        self.width_us = width_us

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        # extract(epoch ...) is numeric (exact) on PostgreSQL 14+.
        sql = f"floor(((extract(epoch from {column}) * 1000000) - %s) / %s)::bigint"
        return sql, [*params, self.pivot_us, self.width_us]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        # Django stores `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC); integer division truncates
        # toward zero, so times before the pivot take the other branch.
        # strftime() would round `59.9999995` up to the next second: read the whole seconds
        # and the microseconds separately.
        micros = (
            f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({column} || '.000000', 21, 6) AS INTEGER))"
        )
        sql = (
            f"(CASE WHEN {micros} >= %s THEN ({micros} - %s) / %s"
            f" ELSE -((%s - {micros} + %s - 1) / %s) END)"
        )
        pivot, width = self.pivot_us, self.width_us
        mp = [*params, *params]  # `micros` names the column twice
        return sql, [*mp, pivot, *mp, pivot, width, pivot, *mp, width, width]
