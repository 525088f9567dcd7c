"""Which `run_services` process does the work: at most one at a time.

PostgreSQL: the active process holds a session-level advisory lock (`pg_try_advisory_lock` on
`LEADER_LOCK_KEY`) on a connection of its own, opened from the database settings and separate
from Django's (which the runner closes and reopens freely). Advisory locks belong to one
database, so servers on other databases of the same cluster do not compete. When the holder
dies, PostgreSQL ends its session and releases the lock; a standby's next try wins it.
`held()` checks the lock's connection before each pass: a lost connection means the lock is
gone (another process may hold it already), so the runner stops working and stands by.

SQLite: an exclusive `fcntl.flock` on a lock file beside the database file (`<db>.services.lock`),
released by the kernel when the holder exits, however it exits. An in-memory database lives in
one process only, so there is nothing to share.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Any, Protocol

import psycopg
from django.db import connections
from django.db.backends.sqlite3.creation import DatabaseCreation as SqliteCreation

from flowruns.outages import first_line

logger = logging.getLogger(__name__)

# b"pfsvcldr" as a big-endian signed 64-bit integer: fixed, and unlikely to collide with another
# application's advisory locks on the same database.
LEADER_LOCK_KEY = int.from_bytes(b"pfsvcldr", "big", signed=True)


class Leadership(Protocol):
    def acquire(self) -> bool:
        """Try once, without waiting; True when this process is (still) the active one."""
        ...

    def held(self) -> bool:
        """Whether the lock is still ours (checked before every pass)."""
        ...

    def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, connect_params: dict[str, Any]) -> None:
        self._params = connect_params
        self._conn: psycopg.Connection[Any] | None = None
        self._holding = False

    @property
    def backend_pid(self) -> int | None:
        """The lock session's server process (tests end it to simulate a lost connection)."""
        return None if self._conn is None else self._conn.info.backend_pid

    def acquire(self) -> bool:
        if self._holding:
            return self.held()
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(**self._params, autocommit=True)
            try_lock = "SELECT pg_try_advisory_lock(%s)"
            row = self._conn.execute(try_lock, [LEADER_LOCK_KEY]).fetchone()
        except psycopg.Error as error:
            logger.warning("Could not try the services lock: %s", first_line(error))
            self._close()
            return False
        self._holding = bool(row and row[0])
        return self._holding

    def held(self) -> bool:
        if not self._holding or self._conn is None:
            return False
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error as error:
            logger.error("Lost the services lock's database connection: %s", first_line(error))
            self._close()
            return False
        return True

    def release(self) -> None:
        if self._holding and self._conn is not None and not self._conn.closed:
            # Closing the session below releases it anyway.
            with contextlib.suppress(psycopg.Error):
                self._conn.execute("SELECT pg_advisory_unlock(%s)", [LEADER_LOCK_KEY])
        self._close()

    def _close(self) -> None:
        self._holding = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()


class FileLeadership:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        lock_file = open(self.path, "ab")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._file = lock_file
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        lock_file, self._file = self._file, None
        if lock_file is not None:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
            lock_file.close()


class SoleLeadership:
    """An in-memory SQLite database: only this process can see it."""

    def __init__(self) -> None:
        self._holding = False

    def acquire(self) -> bool:
        self._holding = True
        return True

    def held(self) -> bool:
        return self._holding

    def release(self) -> None:
        self._holding = False


def postgres_connect_params(alias: str = "default") -> dict[str, Any]:
    """The libpq parameters of Django's connection, for a plain psycopg connection."""
    params = dict(connections[alias].get_connection_params())
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    params.setdefault("connect_timeout", 10)
    params.setdefault("application_name", f"run_services[{os.getpid()}]")
    # A dead peer must surface as an error within seconds, not after the kernel's default hours.
    params.update(keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
    params.setdefault("tcp_user_timeout", 15_000)
    return params


def leadership_for(alias: str = "default") -> Leadership:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        return PostgresLeadership(postgres_connect_params(alias))
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and not SqliteCreation.is_in_memory_db(name):
        return FileLeadership(Path(f"{name}.services.lock"))
    return SoleLeadership()
