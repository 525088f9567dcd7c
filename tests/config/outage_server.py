"""A live server on PostgreSQL behind a `DatabaseProxy`, and what the outage tests ask of it."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.events.transport.live import Live, postgres

from .db_proxy import DatabaseProxy


@dataclass
class ProxiedLive(Live):
    """A live server whose DATABASE_URL points at a `DatabaseProxy`."""

    proxy: DatabaseProxy | None = None

    def database_url(self) -> str:
        assert self.proxy is not None
        return dataclasses.replace(postgres(), port=self.proxy.port).url(self.dbname)

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    def env(self) -> dict[str, str]:
        return {**super().env(), "GUNICORN_ACCESS_LOG": str(self.access_log)}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def call(live: Live, method: str, path: str, body: Any = None) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        live.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            status, headers = response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        raw = error.read()
        status, headers = error.code, {k.lower(): v for k, v in error.headers.items()}
    return Answer(status, headers, json.loads(raw) if raw else None)


def terminate_sessions(live: ProxiedLive) -> int:
    """Kill the server's PostgreSQL sessions and return once the kill has reached the server:
    each backend has exited (`pg_terminate_backend` with a timeout waits for it) and the proxy
    has relayed the hang-up. A session killed while a request is already using it fails that
    request; this stages the other case, a connection that died between two requests."""
    assert live.proxy is not None
    relayed = live.proxy.open_sockets()
    with postgres().connect() as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (live.dbname,),
        ).fetchall()
    assert all(gone for (gone,) in rows), "a backend outlived pg_terminate_backend's timeout"
    live.proxy.wait_closed(relayed)
    return len(rows)


def new_lines(live: Live, since: int) -> list[str]:
    return live.log_path.read_text(errors="replace")[since:].splitlines()


def log_size(live: Live) -> int:
    return len(live.log_path.read_text(errors="replace"))


def warm(live: Live) -> None:
    """Every HTTP thread of the worker holds a database connection."""
    with ThreadPoolExecutor(8) as pool:
        answers = pool.map(
            lambda _: call(live, "POST", "/flow_runs/filter", {"limit": 1}), range(16)
        )
        assert {answer.status for answer in answers} == {200}
