"""The real server, started the way `make serve` starts it, on its own PostgreSQL database.

migrate + collectstatic, then `gunicorn -c config/gunicorn.conf.py -k asgi config.asgi:application`
(the command of `make serve`: HTTP and the event websockets on one port) with the production
settings, bound to 127.0.0.1 on a free port. Everything has a time limit.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from .venv import REPO

HOST = "127.0.0.1"
APP = "config.asgi:application"
SERVE = ["-c", "config/gunicorn.conf.py", "-k", "asgi"]  # make serve, then APP
_SERVER_ERROR = re.compile(r'HTTP/1\.[01]" 5\d\d ')
# gunicorn's ASGI worker logs a request whose client hung up before the answer as "500 0" (no
# body was sent). A real server error has a body and a logged traceback, which still count.
_CLIENT_GONE = re.compile(r'HTTP/1\.[01]" 500 0 ')
MANAGE_TIMEOUT = 300
START_TIMEOUT = 60
STOP_TIMEOUT = 30


@dataclass(frozen=True)
class Postgres:
    """Where to create the throwaway database (the test run's own server and login)."""

    host: str
    port: int
    user: str
    password: str

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname,
            autocommit=True,
            connect_timeout=10,
        )

    def url(self, dbname: str) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgres://{auth}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    database_url: str
    log_path: Path
    port: int = field(default_factory=free_port)
    workers: int = 2
    app: str = APP
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    runtime_dir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DATABASE_URL=self.database_url,
            SECRET_KEY=secrets.token_urlsafe(32),
            HOST=HOST,
            PORT=str(self.port),
            GUNICORN_WORKERS=str(self.workers),
            GUNICORN_ACCESS_LOG="-",
            **self.extra_env,
        )
        if self.runtime_dir is not None:
            # gunicorn's control socket lives in $XDG_RUNTIME_DIR (else ~/.gunicorn/): keep ours
            # apart from any other gunicorn on the machine, e.g. a developer's `make serve`.
            env["XDG_RUNTIME_DIR"] = str(self.runtime_dir)
        return env

    def _manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=MANAGE_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self, runtime_dir: Path | None = None) -> None:
        self.runtime_dir = runtime_dir
        self._manage("migrate", "--noinput")
        self._manage("collectstatic", "--noinput", "--verbosity", "0")
        self.launch()
        self.wait_healthy()

    def launch(self) -> None:
        """Only the gunicorn command (on the database as it is), without waiting for it."""
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(gunicorn), *SERVE, self.app],
                cwd=REPO,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one, by its id
            )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=10) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not healthy after {START_TIMEOUT}s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown of its workers
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once (its process group)."""
        process, self.process = self.process, None
        if process is not None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def server_errors(self) -> list[str]:
        """Access-log lines of requests answered with a 5xx, and any traceback."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        return [
            line
            for line in lines
            if (_SERVER_ERROR.search(line) and not _CLIENT_GONE.search(line)) or "Traceback" in line
        ]

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""
