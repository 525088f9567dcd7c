"""Put the counter triggers in place, take them away, and rebuild the counters from
`flow_run`, on the connection's vendor."""

from __future__ import annotations

from types import ModuleType

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from . import postgres, sqlite
from .layout import HISTORY_LEVELS, HistoryLevel


def _vendor(connection: BaseDatabaseWrapper) -> ModuleType:
    if connection.vendor == "postgresql":
        return postgres
    if connection.vendor == "sqlite":
        return sqlite
    raise NotImplementedError(
        f"run counters support PostgreSQL and SQLite, not {connection.vendor}"
    )


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def counters_install(
    connection: BaseDatabaseWrapper, *, levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS
) -> None:
    """Create the triggers and key indexes, then count every existing run (one transaction).
    `levels`: the history tables to keep (a migration passes those that exist at its point)."""
    vendor = _vendor(connection)
    with transaction.atomic(using=connection.alias):
        if vendor is postgres:
            # Writers wait until the triggers exist and the backfill is done.
            _run(connection, ["LOCK TABLE flow_run IN SHARE ROW EXCLUSIVE MODE"])
        _run(connection, vendor.install_statements(levels))
        _run(connection, vendor.rebuild_statements(levels))


def counters_uninstall(
    connection: BaseDatabaseWrapper, *, levels: tuple[HistoryLevel, ...] = HISTORY_LEVELS
) -> None:
    _run(connection, _vendor(connection).uninstall_statements(levels))


def counters_rebuild(connection: BaseDatabaseWrapper) -> None:
    """Empty the counter tables and count every run again; writers wait meanwhile."""
    with transaction.atomic(using=connection.alias):
        _run(connection, _vendor(connection).rebuild_statements())
