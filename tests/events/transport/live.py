"""A live server for the transport tests, started exactly as `make serve` starts it
(`gunicorn -k asgi config.asgi:application`), on a database of its own: a throwaway PostgreSQL
database when the suite runs on PostgreSQL (two workers), else a temporary SQLite file (one
worker: SQLite streams within one process). Everything has a time limit."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.compat.server import Postgres, free_port

REPO = Path(__file__).resolve().parents[3]
APP = "config.asgi:application"
SLOW_APP = "tests.events.transport.slow_app:application"  # (see there) never import it here
SERVE = ["-c", "config/gunicorn.conf.py", "-k", "asgi"]  # then the app


def postgres() -> Postgres:
    db = settings.DATABASES["default"]
    return Postgres(
        host=db.get("HOST") or "127.0.0.1",
        port=int(db.get("PORT") or 5432),
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or "",
    )


@dataclass
class Live:
    workdir: Path
    on_postgres: bool
    extra_env: dict[str, str] = field(default_factory=dict)
    app: str = APP
    workers: int = 0
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    dbname: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def database_url(self) -> str:
        if self.on_postgres:
            return postgres().url(self.dbname)
        return f"sqlite:///{self.workdir / 'db.sqlite3'}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DATABASE_URL=self.database_url(),
            SECRET_KEY=secrets.token_urlsafe(16),
            HOST="127.0.0.1",
            PORT=str(self.port),
            GUNICORN_WORKERS=str(self.workers or (2 if self.on_postgres else 1)),
            GUNICORN_ACCESS_LOG="-",
            XDG_RUNTIME_DIR=str(self.workdir),
            **self.extra_env,
        )
        return env

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"manage.py {args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self) -> Live:
        if self.on_postgres:
            self.dbname = f"evwire_live_{os.getpid()}_{self.port}"
            postgres().create_database(self.dbname)
        self.manage("migrate", "--noinput")
        self.launch()
        self.wait_up()
        return self

    def launch(self) -> None:
        """Start gunicorn (on the database as it is) without waiting for it."""
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [gunicorn, *SERVE, self.app],
                cwd=REPO,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: `kill` reaches every worker
            )

    def wait_up(self, timeout: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited:\n{self.log_tail()}"
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"server not up within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once (the database stays)."""
        process, self.process = self.process, None
        if process is not None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def count_events(self, prefix: str) -> int:
        """Stored events whose name starts with `prefix`, read from the database itself."""
        query = "SELECT count(*) FROM events WHERE event LIKE %s"
        if self.on_postgres:
            with postgres().connect(self.dbname) as conn:
                row = conn.execute(query, (prefix + "%",)).fetchone()
        else:
            with contextlib.closing(sqlite3.connect(self.workdir / "db.sqlite3")) as conn:
                row = conn.execute(query.replace("%s", "?"), (prefix + "%",)).fetchone()
        assert row is not None
        return int(row[0])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self.on_postgres and self.dbname:
            postgres().drop_database(self.dbname)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def post(self, path: str, body: Any, timeout: float = 10) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read()
                return response.status, json.loads(data) if data else None
        except urllib.error.HTTPError as error:
            return error.code, error.read()
