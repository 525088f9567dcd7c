"""Getting generated batches into the database: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from .rows import Batch
from .tables import Table

# Children first, so a plain DELETE never trips a foreign key.
RUN_TABLES = (
    "deployment_concurrency_lease",
    "flow_run_input",
    "log",
    "task_run_state",
    "flow_run_state",
    "task_run",
    "flow_run",
)


_output: list[Callable[[str], object]] = [lambda message: print(message, flush=True)]


def say(message: str) -> None:
    """Progress output; `seed()` points it at the caller's stream (a command's stdout)."""
    _output[0](message)


def set_output(write: Callable[[str], object]) -> None:
    _output[0] = write


class PostgresWriter:
    """COPY each table's rows of a batch; optionally drop the secondary indexes and the
    unique/foreign-key constraints first and rebuild them once at the end, which is several
    times faster than maintaining ~25 indexes row by row. The caller runs the whole load in
    one transaction, so a failure (or Ctrl-C) leaves every index and constraint in place.
    """

    def __init__(self, connection: BaseDatabaseWrapper, tables: list[Table]) -> None:
        self.connection = connection
        self.tables = tables
        self.saved: list[tuple[str, str]] = []  # (label, SQL) to replay, in order
        # COPY FREEZE (rows need no hint-bit writes or freezing vacuum later) is only allowed
        # after a TRUNCATE in the same transaction; the caller turns it on then.
        self.freeze = False

    def _cursor(self) -> Any:
        self.connection.ensure_connection()
        return self.connection.connection.cursor()

    def truncate(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(RUN_TABLES)} CASCADE")

    def drop_indexes(self) -> None:
        names = [t.name for t in self.tables]
        with self._cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
                FROM pg_constraint
                WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')
                ORDER BY contype DESC, conname
                """,
                (names,),
            )
            constraints = cursor.fetchall()  # unique ('u') before foreign keys ('f')
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY 1
                """,
                (names,),
            )
            indexes = cursor.fetchall()
            for table, name, _, _ in reversed(constraints):  # foreign keys first
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
        self.saved = [(name, sql) for name, sql in indexes] + [
            (name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table, name, definition, _ in constraints
        ]
        say(f"dropped {len(indexes)} indexes and {len(constraints)} constraints for the load")

    def restore_indexes(self) -> None:
        started = time.perf_counter()
        with self._cursor() as cursor:
            for name, sql in self.saved:
                step = time.perf_counter()
                cursor.execute(sql)
                if time.perf_counter() - step >= 1:
                    say(f"  rebuilt {name} in {time.perf_counter() - step:.1f}s")
        say(
            f"rebuilt {len(self.saved)} indexes/constraints in {time.perf_counter() - started:.1f}s"
        )
        self.saved = []

    def write(self, batch: Batch) -> None:
        with self._cursor() as cursor:
            for table in self.tables:
                rows = getattr(batch, table.batch_attr)
                if not rows:
                    continue
                sql = f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN"
                if self.freeze:
                    sql += " WITH (FREEZE)"
                extra = table.extra
                with cursor.copy(sql) as copy:
                    write_row = copy.write_row
                    if extra:
                        for row in rows:
                            write_row(row + extra)
                    else:
                        for row in rows:
                            write_row(row)

    def analyze(self) -> None:
        # VACUUM also sets the visibility map, so counts can use index-only scans, as they
        # would on a database that autovacuum has been looking after.
        self.connection.ensure_connection()
        with self._cursor() as cursor:
            for table in [*self.tables, "flow", "deployment"]:
                name = table if isinstance(table, str) else table.name  # type: ignore[attr-defined]
                cursor.execute(f"VACUUM (ANALYZE) {name}")


def _sqlite_converter(field: Any) -> Callable[[Any], Any] | None:
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind == "UUIDField":
        return lambda v: v if v is None else v.replace("-", "") if isinstance(v, str) else v.hex
    if kind == "DateTimeField":
        # What Django's SQLite backend stores: naive UTC, `str(datetime)`.
        return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
    if kind == "BooleanField":
        return lambda v: None if v is None else int(v)
    return None


class SqliteWriter:
    """executemany per table per batch, values converted the way Django stores them."""

    def __init__(self, connection: BaseDatabaseWrapper, tables: list[Table]) -> None:
        self.connection = connection
        self.tables = tables
        self.plans = []
        for table in tables:
            converters = [_sqlite_converter(f) for f in table.fields]
            placeholders = ", ".join("?" for _ in table.columns)
            sql = f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({placeholders})"
            self.plans.append((table, sql, converters))

    def truncate(self) -> None:
        raw = self._raw()
        for name in RUN_TABLES:
            raw.execute(f"DELETE FROM {name}")

    def _raw(self) -> Any:
        self.connection.ensure_connection()
        return self.connection.connection

    def write(self, batch: Batch) -> None:
        raw = self._raw()
        raw.execute("PRAGMA cache_size = -262144")  # 256 MB
        for table, sql, converters in self.plans:
            rows = getattr(batch, table.batch_attr)
            if rows:
                raw.executemany(sql, self._convert(rows, table.extra, converters))

    @staticmethod
    def _convert(
        rows: list[tuple], extra: tuple, converters: list[Callable[[Any], Any] | None]
    ) -> Iterable[list[Any]]:
        pairs = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
        for row in rows:
            values = list(row + extra)
            for i, convert in pairs:
                values[i] = convert(values[i])
            yield values

    def analyze(self) -> None:
        self._raw().execute("ANALYZE")
