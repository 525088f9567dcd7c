"""The two databases and the two servers of the Prefect comparison (bench/compare.py).

Databases: ours is migrated with `manage.py migrate`; Prefect's is migrated by starting
`prefect server start` once. Prefect's gets the shared seed script
(seed_prefect_flow_runs.sql); ours gets either exactly the same rows, copied across
(bench/mirror_prefect.py, the default: answers can be compared id for id), or its own
`seed_flow_runs --profile reference` rows (same distribution, other rows).

Servers run in their own process groups; `stop()` ends exactly those groups.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PREFECT_SEED_SQL = Path(
    os.environ.get("PREFECT_SEED_SQL", "/work/shared/bench/seed_prefect_flow_runs.sql")
)
PG = "postgresql://postgres@127.0.0.1:5432"
BENCH_FLOW = "bench-compare"  # the flow that create and set_state make their runs for


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def dsn(database: str) -> str:
    return f"{PG}/{database}"


# ---- databases --------------------------------------------------------------------------
def database_exists(name: str) -> bool:
    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is not None
        )


def create_database(name: str, *, replace: bool) -> None:
    if not name.startswith("bench_"):
        raise SystemExit(
            f"refusing to create or replace {name!r}: bench databases are named bench_*"
        )
    with psycopg.connect(dsn("postgres"), autocommit=True) as conn:
        if replace:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float) -> None:
    say(f"$ {' '.join(command)}")
    subprocess.run(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, check=True, timeout=timeout
    )


def ours_env(database: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-compare",
    }


def prefect_env(database: str, home: Path) -> dict[str, str]:
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_API_URL": "",  # never talk to another server
    }


def seed_prefect(database: str, *, runs: int, anchor: str | None) -> None:
    command = [
        "psql",
        "-X",
        "-q",
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-d",
        database,
        "-v",
        f"n={runs}",
        "-f",
        str(PREFECT_SEED_SQL),
    ]
    if anchor:
        command[-2:-2] = ["-v", f"anchor='{anchor}'"]
    run(command, timeout=3600)


def prepare_ours(database: str, *, source: str | None, runs: int, anchor: str | None) -> None:
    """Migrate, then copy `source`'s rows (a seeded Prefect database) or seed our own."""
    python = str(ROOT / ".venv/bin/python")
    env = ours_env(database)
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, timeout=600)
    if source is not None:
        run([python, "bench/mirror_prefect.py", "--source", dsn(source)], env=env, timeout=3600)
        return
    command = [
        python,
        "manage.py",
        "seed_flow_runs",
        "--profile",
        "reference",
        "--truncate",
        "--no-input",  # a script: --truncate would otherwise ask
        "--runs",
        str(runs),
        "--seed",
        "11",
    ]
    if anchor:
        command += ["--anchor", anchor]
    run(command, env=env, timeout=3600)


def delete_bench_runs(database: str, *, ours: bool) -> int:
    """Remove the runs earlier comparisons created (flow `bench-compare`), so that every
    comparison reads the pristine data set; returns how many there were."""
    with psycopg.connect(dsn(database)) as conn:
        runs = "SELECT r.id FROM flow_run r JOIN flow f ON f.id = r.flow_id WHERE f.name = %s"
        if ours:  # no ON DELETE CASCADE in Django's schema
            conn.execute(f"DELETE FROM flow_run_state WHERE flow_run_id IN ({runs})", (BENCH_FLOW,))
        deleted = conn.execute(f"DELETE FROM flow_run WHERE id IN ({runs})", (BENCH_FLOW,)).rowcount
    if deleted:
        with psycopg.connect(dsn(database), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE) flow_run, flow_run_state")
    return deleted


def table_facts(database: str) -> dict[str, Any]:
    """Flow ids, a sample of run ids, and the data's time range, straight from the database
    (the same on both sides when ours mirrors Prefect's rows)."""
    with psycopg.connect(dsn(database)) as conn:
        flows = [
            str(r[0])
            for r in conn.execute(
                "SELECT id FROM flow WHERE name LIKE 'seed-flow-%%' ORDER BY name"
            )
        ]
        seed = "FROM flow_run WHERE flow_id IN (SELECT id FROM flow WHERE name LIKE 'seed-flow-%%')"
        middle = "80000000-0000-4000-8000-000000000000"  # uuid4 ids: the next 1000 are random
        read_ids = [
            str(r[0])
            for r in conn.execute(
                f"SELECT id {seed} AND id >= %s ORDER BY id LIMIT 1000", (middle,)
            )
        ]
        low, high, runs = conn.execute(
            f"SELECT min(expected_start_time), max(expected_start_time), count(*) {seed}"
        ).fetchone()
        finished = f"{seed} AND state_type::text <> 'SCHEDULED'"
        anchor = conn.execute(f"SELECT max(expected_start_time) {finished}").fetchone()[0]
    if not flows or not read_ids:
        raise SystemExit(f"{database}: no seeded runs (flows seed-flow-*); seed it first")
    return {
        "flow_ids": flows,
        "read_ids": read_ids,
        "history_start": low.replace(microsecond=0),
        "history_end": high.replace(microsecond=0) + timedelta(seconds=1),
        "window_end": anchor,
        "runs": runs,
    }


# ---- servers -----------------------------------------------------------------------------
@dataclass
class Server:
    label: str
    port: int
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self, *, ready_within: float) -> None:
        say(f"starting {self.label}: {' '.join(self.command)}  (log: {self.log})")
        out = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"{self.label} exited with {self.process.returncode}; see {self.log}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        say(f"{self.label} is up at {self.url}")
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.stop()
        raise SystemExit(
            f"{self.label} did not answer /health within {ready_within:.0f}s; see {self.log}"
        )

    def stop(self) -> None:
        """SIGTERM to the server's own process group (started by us), SIGKILL after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        # make exits when gunicorn does; wait for the rest of the group too (bounded).
        for _ in range(40):
            if not _group_alive(group):
                break
            time.sleep(0.25)
        else:
            os.killpg(group, signal.SIGKILL)

    def memory(self) -> list[dict[str, Any]]:
        """RSS and PSS (kB) of every process of the server; a worker is a process without
        children (gunicorn's workers, Prefect's single uvicorn process)."""
        if self.process is None:
            return []
        tree = _descendants(self.process.pid)
        parents = {p["ppid"] for p in tree}
        return [p | {"worker": p["pid"] not in parents} for p in tree]


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False


def _descendants(root: int) -> list[dict[str, Any]]:
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            table[int(entry.name)] = {
                "pid": int(entry.name),
                "ppid": int(fields.get("PPid", "0")),
                "rss_kb": int(fields.get("VmRSS", "0 kB").split()[0]),
                "pss_kb": _pss(entry),
                "command": cmdline[:160],
            }
    out, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        if pid in table:
            out.append(table[pid])
        frontier += [p for p, info in table.items() if info["ppid"] == pid]
    launchers = ("make", "/bin/sh", "sh")  # make serve's own processes, not the server's
    return [p for p in out if p["command"] and p["command"].split()[0] not in launchers]


def _pss(entry: Path) -> int:
    try:
        for line in (entry / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def ours_server(
    database: str, port: int, log: Path, workers: int | None, *, services: bool = False
) -> Server:
    """`make serve`, as a user runs it (whatever the Makefile's serve target is today), without
    the background services unless asked, as Prefect runs with `--no-services`."""
    env = ours_env(database) | {
        "PORT": str(port),
        "GUNICORN_ACCESS_LOG": "off",  # as bench/README.md: no access log (Prefect: none either)
        "LOG_LEVEL": "WARNING",
        "SERVE_WITH_SERVICES": "true" if services else "false",
    }
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    return Server("ours", port, ["make", "--no-print-directory", "serve"], env, log)


def prefect_server(database: str, port: int, log: Path, home: Path, *, services: bool) -> Server:
    command = [
        str(ROOT / ".venv-compat/bin/prefect"),
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-ui",
        "--log-level",
        "WARNING",
    ]
    if not services:
        command.append("--no-services")
    return Server("prefect", port, command, prefect_env(database, home), log)


def ensure_compat_venv() -> None:
    prefect = ROOT / ".venv-compat/bin/prefect"
    if not prefect.exists():
        run(["make", "compat-venv"], timeout=1800)
    check = [
        str(ROOT / ".venv-compat/bin/python"),
        "-c",
        "import asyncpg, prefect; print(prefect.__version__)",
    ]
    version = subprocess.run(check, capture_output=True, text=True, timeout=120)
    if version.returncode != 0:
        raise SystemExit(f".venv-compat cannot import prefect and asyncpg: {version.stderr[-500:]}")
    if version.stdout.strip() != "3.8.8":
        say(f"warning: .venv-compat has prefect {version.stdout.strip()}, not 3.8.8")
