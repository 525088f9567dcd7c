"""Which database errors mean "the database cannot answer now" (an outage the client should
ride out) rather than "this request or this code is wrong"."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

# SQLSTATE classes and codes that mean "try again later" (PostgreSQL appendix A): 08 connection
# exception, 53 insufficient resources (too many connections), 57 operator intervention (admin
# or crash shutdown, cannot connect now, statement timeout), 40001/40P01 serialisation failure
# and deadlock.
RETRYABLE_SQLSTATE_CLASSES = ("08", "53", "57")
RETRYABLE_SQLSTATES = ("40001", "40P01")
SQLITE_BUSY = ("database is locked", "database table is locked")


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot answer now rather than that the request or
    the code is wrong."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    cause = exc.__cause__
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        sqlstate = getattr(cause, "sqlstate", None)
        if sqlstate is None:  # raised by the client library: refused, lost or closed
            return True
        return sqlstate[:2] in RETRYABLE_SQLSTATE_CLASSES or sqlstate in RETRYABLE_SQLSTATES
    text = str(exc).lower()
    return any(message in text for message in SQLITE_BUSY)


def first_line(exc: BaseException) -> str:
    """The error's first line: psycopg's messages run over several."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
