"""Querysets compiled to SQL once, then executed with a new key: the hot reads by id.

Compiling a queryset (joins, column lists, quoting) costs more CPU than PostgreSQL takes to
answer a primary-key lookup. A `PreparedRows` compiles its queryset the first time it runs on
a database, with a marker in place of the key, and keeps the SQL, the position of the key
among the parameters and the column converters Django would apply (JSON text, SQLite's
datetimes and UUIDs). Every later call sends that SQL with the key prepared as the key's field
prepares it, through Django's cursor (so the statement is logged and counted like any other),
and converts the columns as Django would (`row_converters`): the rows are exactly those of
`build(key).values_list(...)`, only cheaper.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Field, Lookup, Model, QuerySet, UUIDField
from django.db.transaction import TransactionManagementError

from .row_converters import Converters, convert_rows, cursor_rows, query_converters

# Never a real key: the compiled SQL carries it until the real key replaces it.
_MARKER = uuid.UUID("00000000-0000-4000-8000-00000000f00d")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_index: int
    for_update: bool
    converters: Converters


class PreparedRows:
    """`build(key)` is a `values_list` queryset whose only parameter that varies is `key`,
    compared with `key_field` (prepared for the database the way that field prepares it).

    With `many=True` the key is a list of keys that `build` compares as one parameter (the
    `any_of` lookup below: PostgreSQL's `= ANY(%s)`), each prepared as `key_field` prepares it.
    """

    def __init__(
        self,
        build: Callable[[Any], QuerySet[Any]],
        key_field: Field[Any, Any],
        *,
        many: bool = False,
    ) -> None:
        self._build = build
        self._key_field = key_field
        self._many = many
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _prepare(self, key: Any, connection: Any) -> Any:
        prep = self._key_field.get_db_prep_value
        if self._many:
            return [prep(one, connection, prepared=False) for one in key]
        return prep(key, connection, prepared=False)

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        key = [_MARKER] if self._many else _MARKER
        compiler = self._build(key).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        marker = self._prepare(key, connection)
        positions = [i for i, value in enumerate(params) if value == marker]
        if len(positions) != 1:
            raise ValueError(f"the key must occur once among the parameters: {params!r}")
        converters = query_converters(compiler)
        for_update = compiler.query.select_for_update and connection.features.has_select_for_update
        return _Compiled(sql, tuple(params), positions[0], for_update, converters)

    def compiled(self, using: str) -> _Compiled:
        found = self._compiled.get(using)
        if found is None:
            with self._lock:
                found = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = found
        return found

    def rows(self, key: Any, *, using: str = "default") -> list[Sequence[Any]]:
        """The rows for `key`, each a tuple of the queryset's columns, converted."""
        compiled = self.compiled(using)
        connection = connections[using]
        if compiled.for_update and connection.get_autocommit():
            # What Django checks when it compiles such a query: a lock outside a
            # transaction would be released at once.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(compiled.params)
        params[compiled.key_index] = self._prepare(key, connection)
        fetched = cursor_rows(connection, compiled.sql, params, prepared=True)
        return convert_rows(fetched, compiled.converters, connection)


class PreparedInstances:
    """Model instances by key through a `PreparedRows`: `build(key)` is a queryset of `model`
    (with any `select_for_update()` it needs); its concrete columns are read as Django would
    read them and the instances made with `Model.from_db`, so they save like any other."""

    def __init__(
        self,
        model: type[Model],
        build: Callable[[Any], QuerySet[Any]],
        *,
        key_field: Field[Any, Any] | None = None,
    ) -> None:
        self._model = model
        self._attnames = [field.attname for field in model._meta.concrete_fields]
        self._rows = PreparedRows(
            lambda key: build(key).values_list(*self._attnames), key_field or model._meta.pk
        )

    def all(self, key: Any, *, using: str = "default") -> list[Any]:
        rows = self._rows.rows(key, using=using)
        return [self._model.from_db(using, self._attnames, row) for row in rows]

    def first(self, key: Any, *, using: str = "default") -> Any | None:
        found = self.all(key, using=using)
        return found[0] if found else None


class AnyOf(Lookup):
    """`field__any_of=[k1, k2, ...]`: PostgreSQL's `field = ANY(%s)`, the whole list one array
    parameter, so the statement is the same for every list (`PreparedRows(many=True)`)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        field = self.lhs.output_field
        return "%s", [[field.get_db_prep_value(one, connection, prepared=False) for one in value]]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if connection.vendor != "postgresql":
            raise NotImplementedError("any_of is a PostgreSQL lookup")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


UUIDField.register_lookup(AnyOf)
