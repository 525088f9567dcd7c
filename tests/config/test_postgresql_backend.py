"""The PostgreSQL backend's health check (`config/postgresql`): a kept connection that is
plainly alive is used without a `SELECT 1`; one PostgreSQL has closed is replaced before the
request uses it."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _sent(monkeypatch) -> list[str]:
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def spy(self, query, *args, **kwargs):
        sent.append(str(query))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", spy)
    return sent


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        # Wait until the backend is gone, so its goodbye is on our socket.
        for _ in range(200):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            other.execute("SELECT pg_sleep(0.01)")
    raise AssertionError(f"backend {pid} still there")


def test_an_idle_live_connection_is_usable_without_a_query(monkeypatch):
    connection.ensure_connection()
    assert type(connections["default"]).__module__ == "config.postgresql.base"
    sent = _sent(monkeypatch)
    assert connection.is_usable() is True
    assert sent == []


def test_a_terminated_connection_is_not_usable_and_is_replaced(monkeypatch, settings):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    _terminate(pid)
    assert connection.is_usable() is False
    # What Django does at the start of a request with health checks on: close, reconnect.
    connection.health_check_done = False
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_in_a_transaction_is_asked(monkeypatch):
    connection.ensure_connection()
    connection.connection.execute("BEGIN")
    try:
        sent = _sent(monkeypatch)
        assert connection.is_usable() is True
        assert sent == ["SELECT 1"]
    finally:
        connection.connection.execute("ROLLBACK")
