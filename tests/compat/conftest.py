"""One live server per session for the client-compatibility tests, and the client that drives it.

The server is the real thing, started as `make serve` starts it (gunicorn, production settings)
on a fresh PostgreSQL database of its own, which is dropped afterwards. The client is the real,
unmodified `prefect` package in `.venv-compat`. Every compat test is marked `postgres`, so on
SQLite the whole module is skipped with the usual notice (or fails under REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .rest import Rest
from .runner import Client, Finished
from .server import LiveServer, Postgres
from .venv import ensure_compat_venv


@pytest.fixture(scope="session")
def compat_bin() -> Path:
    try:
        return ensure_compat_venv()
    except Exception as exc:  # no registry, no wheel: say so plainly
        pytest.fail(f"could not create .venv-compat for the prefect client: {exc}")


@pytest.fixture(scope="session")
def compat_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    if connection.vendor != "postgresql":
        pytest.fail("the live server needs PostgreSQL: set DATABASE_URL=postgres://...")
    db = settings.DATABASES["default"]
    postgres = Postgres(
        host=db.get("HOST") or "127.0.0.1",
        port=int(db.get("PORT") or 5432),
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or "",
    )
    name = f"prefect_compat_{os.getpid()}"
    logs = tmp_path_factory.mktemp("compat-server")
    server = LiveServer(database_url=postgres.url(name), log_path=logs / "gunicorn.log")
    postgres.create_database(name)
    try:
        server.start(runtime_dir=logs)
        yield server
    finally:
        server.stop()
        postgres.drop_database(name)
        if request.session.testsfailed:
            print(f"\n--- server log ({server.log_path})\n{server.log_tail()}", file=sys.stderr)
    errors = server.server_errors()
    assert not errors, "the server answered with 5xx / raised:\n" + "\n".join(errors[:50])


@pytest.fixture(scope="session")
def rest(compat_server: LiveServer) -> Rest:
    return Rest(f"{compat_server.url}/api")


@pytest.fixture(scope="session")
def prefect(
    compat_server: LiveServer, compat_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Client:
    return Client(
        bin=compat_bin,
        api_url=f"{compat_server.url}/api",
        home=tmp_path_factory.mktemp("prefect-home"),
    )


@pytest.fixture(scope="session")
def nonce() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def flows_run(prefect: Client, nonce: str) -> Finished:
    """Scenario (a), run once: every in-process flow, in one client process."""
    return prefect.scenario("flows.py", nonce, timeout=180)


@pytest.fixture(scope="session")
def flows(flows_run: Finished) -> dict:
    return flows_run.result
