"""Lookups the filter language needs that Django has no portable version of.

Each works on PostgreSQL and SQLite and is written to use the PostgreSQL indexes migration
`0002_postgres_indexes` creates (GIN on the JSON `tags` lists, pg_trgm GIN on names). Django's own
`contains` on a JSONField is not supported on SQLite, and its `icontains` compiles to
`UPPER(col) LIKE UPPER(...)` on PostgreSQL, which a trigram index cannot serve.

They are used as expressions, not registered on fields:

    FlowRun.objects.filter(JSONListContainsAll(F("tags"), ["a", "b"]))
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.sql.compiler import SQLCompiler

_SQL = tuple[str, list[Any]]


class _VendorLookup(Lookup):
    """The right-hand side is a plain Python value, never prepared by the field."""

    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> NoReturn:
        raise NotSupportedError(f"{type(self).__name__} supports PostgreSQL and SQLite only.")


class JSONListContainsAll(_VendorLookup):
    """The JSON list on the left holds every string of `rhs`.

    PostgreSQL: `tags @> '["a","b"]'::jsonb` (GIN-indexed). SQLite: no wanted value is missing
    from the list, via `json_each`.
    """

    lookup_name = "list_contains_all"

    def _values(self) -> str:
        return json.dumps(list(self.rhs))

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*lhs_params, self._values()]

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql = (
            "NOT EXISTS (SELECT 1 FROM json_each(%s) AS wanted WHERE wanted.value NOT IN "
            f"(SELECT held.value FROM json_each({lhs}) AS held))"
        )
        return sql, [self._values(), *lhs_params]


class JSONListContainsAny(_VendorLookup):
    """The JSON list on the left shares at least one string with `rhs` (none if `rhs` is empty).

    PostgreSQL: `tags ?| ARRAY[...]` (GIN-indexed). SQLite: EXISTS over `json_each`.
    """

    lookup_name = "list_contains_any"

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} ?| %s::text[]", [*lhs_params, list(self.rhs)]

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) AS held WHERE held.value IN "
            "(SELECT wanted.value FROM json_each(%s) AS wanted))"
        )
        return sql, [*lhs_params, json.dumps(list(self.rhs))]


class JSONListIsEmpty(_VendorLookup):
    """The JSON list on the left is `[]` when `rhs` is true, non-empty when it is false.

    Compared structurally, not as text, so SQLite rows written as `"[ ]"` count as empty too.
    """

    lookup_name = "list_is_empty"

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        op = "=" if self.rhs else "<>"
        return f"{lhs} {op} '[]'::jsonb", list(lhs_params)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        op = "=" if self.rhs else ">"
        return f"json_array_length({lhs}) {op} 0", list(lhs_params)


class _CaseInsensitivePattern(_VendorLookup):
    """`lhs ILIKE pattern` on PostgreSQL (trigram-indexed), `lhs LIKE pattern` on SQLite, whose
    LIKE ignores case (for ASCII letters, as Prefect's SQLite backend does)."""

    escape: str | None = None

    def pattern(self) -> str:
        raise NotImplementedError

    def _sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, op: str) -> _SQL:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql = f"{lhs} {op} %s"
        if self.escape is not None:
            sql += f" ESCAPE '{self.escape}'"
        return sql, [*lhs_params, self.pattern()]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        return self._sql(compiler, connection, "ILIKE")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _SQL:
        return self._sql(compiler, connection, "LIKE")


class LikeContains(_CaseInsensitivePattern):
    """Prefect's `like_`: `ILIKE '%' || value || '%'` with the value *not* escaped, so `%` and
    `_` in it are wildcards (`"cnt_1"` matches `"cnt-1"`)."""

    lookup_name = "like_contains"

    def pattern(self) -> str:
        return f"%{self.rhs}%"


class LikeStartsWith(_CaseInsensitivePattern):
    """Prefect's `startswith_`: `ILIKE value || '%'`, value not escaped."""

    lookup_name = "like_startswith"

    def pattern(self) -> str:
        return f"{self.rhs}%"


class ContainsText(_CaseInsensitivePattern):
    """A literal, case-insensitive substring: `%`, `_` and `\\` in the value match themselves."""

    lookup_name = "contains_text"
    escape = "\\"

    def pattern(self) -> str:
        text = str(self.rhs)
        for char in ("\\", "%", "_"):
            text = text.replace(char, "\\" + char)
        return f"%{text}%"
