"""Issue 10: kill and restart the server in the middle of a flow; no task run is lost or doubled.

The real client runs a flow of `TASKS` short tasks (`scenarios/restart.py`) against a server
of this module's own, on its own database. Once a third of the task runs are recorded, the
test stops the server (SIGKILL to gunicorn's whole process group, or SIGTERM to its master
and a wait for it to exit) and at once starts a new one on the same port and database. The
client's events socket reconnects and resends the events it had not seen confirmed
(events.md §3.4); the flow completes. Then, read from the database itself: exactly one task
run per task, each with the states Pending, Running, Completed once each in that order, each
task-run event stored once, and the flow run Completed.

With CHECKPOINT_EVERY set, the client pings after every few events and forgets the events
the pong confirms, so an event confirmed but not yet stored when the server dies would be
lost: that is the case ordered pings (events/sockets/gunicorn_adapter.py) exist for.
"""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.events.transport.live import SLOW_APP

from .runner import Background, Client
from .server import APP, LiveServer, Postgres

pytestmark = [pytest.mark.compat, pytest.mark.postgres]

TASKS = 60
STATES = ["PENDING", "RUNNING", "COMPLETED"]
FLOW_TIMEOUT = 300  # seconds for the whole flow, restart included
STOP_TIMEOUT = 40  # gunicorn's graceful_timeout is 30 s


@dataclass
class Site:
    server: LiveServer
    postgres: Postgres
    dbname: str
    client: Client
    logs: Path

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.postgres.connect(self.dbname) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture
def make_site(compat_bin: Path, tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Starts this test's server (`app`, with `env`) on a database of its own."""
    db = settings.DATABASES["default"]
    postgres = Postgres(
        host=db.get("HOST") or "127.0.0.1",
        port=int(db.get("PORT") or 5432),
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or "",
    )
    dbname = f"prefect_restart_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    servers: list[LiveServer] = []

    def make(app: str = APP, **env: str) -> Site:
        server = LiveServer(
            database_url=postgres.url(dbname),
            log_path=tmp_path / "gunicorn.log",
            app=app,
            extra_env=env,
        )
        servers.append(server)
        postgres.create_database(dbname)
        server.start(runtime_dir=tmp_path)
        client = Client(bin=compat_bin, api_url=f"{server.url}/api", home=tmp_path / "home")
        return Site(server, postgres, dbname, client, tmp_path)

    try:
        yield make
    finally:
        for server in servers:
            server.stop()
        postgres.drop_database(dbname)


def _eventually(check: Callable[[], Any], timeout: float, what: str, flow: Background) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        if flow.process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s\n{flow.wait(timeout=1).describe()}")


def _flow_run_id(site: Site, flow: Background) -> str:
    out = site.logs / "restart.py.out"
    found = _eventually(
        lambda: re.search(r"^FLOW-RUN (\S+)$", out.read_text(), re.M), 120, "flow start", flow
    )
    return str(found.group(1))


def _task_runs_recorded(site: Site, flow_run_id: str) -> int:
    [(count,)] = site.query("SELECT count(*) FROM task_run WHERE flow_run_id = %s", flow_run_id)
    return int(count)


def sigkill(server: LiveServer) -> None:
    server.kill()


def sigterm(server: LiveServer) -> None:
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=STOP_TIMEOUT)
    server.process = None


def run_through_a_restart(site: Site, stop: Callable[[LiveServer], None], *args: str) -> dict:
    """Run the flow, stop and restart the server mid-way; what the client reported."""
    flow = site.client.start_scenario("restart.py", uuid.uuid4().hex[:8], *args, log_dir=site.logs)
    try:
        flow_run_id = _flow_run_id(site, flow)
        _eventually(
            lambda: _task_runs_recorded(site, flow_run_id) >= TASKS // 3, 120, "a third", flow
        )
        recorded = _task_runs_recorded(site, flow_run_id)
        assert flow.process.poll() is None and recorded < TASKS, "the flow ended too soon"
        stopping = time.monotonic()
        stop(site.server)
        stopped = time.monotonic()
        site.server.launch()  # same port, same database, no migrate: as fast as it goes
        site.server.wait_healthy()
        healthy = time.monotonic()
        finished = flow.wait(timeout=FLOW_TIMEOUT)
    finally:
        flow.stop()
    assert finished.returncode == 0, finished.describe()
    result = dict(finished.result)
    assert result["flow_run_id"] == flow_run_id
    result["task runs recorded at the stop"] = recorded
    result["timings"] = {
        "stop": round(stopped - stopping, 2),
        "restart": round(healthy - stopped, 2),
        "flow after restart": round(time.monotonic() - healthy, 2),
    }
    result["client warnings"] = finished.warnings()
    print(f"restart: {stop.__name__} {args} at {recorded}/{TASKS} task runs {result['timings']}")
    print("\n".join(result["client warnings"]))  # these prints: shown on failure, or with -rP
    return result


def assert_every_task_run_recorded_once(site: Site, result: dict) -> None:
    flow_run_id = result["flow_run_id"]
    assert result["state"] == "COMPLETED"
    assert len(set(result["task_run_ids"])) == TASKS

    [(flow_state,)] = site.query("SELECT state_type FROM flow_run WHERE id = %s", flow_run_id)
    assert flow_state == "COMPLETED"

    runs = site.query(
        "SELECT id::text, state_type FROM task_run WHERE flow_run_id = %s", flow_run_id
    )
    assert sorted(run_id for run_id, _ in runs) == sorted(result["task_run_ids"])
    assert {state for _, state in runs} == {"COMPLETED"}

    histories: dict[str, list[str]] = {run_id: [] for run_id, _ in runs}
    for run_id, state_type in site.query(
        "SELECT s.task_run_id::text, s.type FROM task_run_state s JOIN task_run r"
        " ON r.id = s.task_run_id WHERE r.flow_run_id = %s ORDER BY s.timestamp, s.id",
        flow_run_id,
    ):
        histories[run_id].append(state_type)
    wrong = {run_id: states for run_id, states in histories.items() if states != STATES}
    assert wrong == {}, f"{len(wrong)} task runs without exactly {STATES}"

    per_run = site.query(
        "SELECT resource_id, count(*) FROM events WHERE event LIKE 'prefect.task-run.%%'"
        " AND resource_id = ANY(%s) GROUP BY resource_id",
        [f"prefect.task-run.{run_id}" for run_id in result["task_run_ids"]],
    )
    assert len(per_run) == TASKS
    assert {count for _, count in per_run} == {len(STATES)}


@pytest.mark.parametrize(
    ("stop", "checkpoint_every"),
    [
        pytest.param(sigkill, None, id="sigkill"),
        pytest.param(sigkill, "3", id="sigkill-checkpoint-every-3-events"),
        pytest.param(sigterm, "3", id="sigterm-checkpoint-every-3-events"),
    ],
)
def test_a_restart_mid_flow_loses_and_doubles_no_task_run(make_site, stop, checkpoint_every):
    site = make_site()
    args = [str(TASKS)] + ([checkpoint_every] if checkpoint_every else [])
    result = run_through_a_restart(site, stop, *args)
    assert_every_task_run_recorded_once(site, result)
    assert site.server.server_errors() == []


def test_a_restart_loses_nothing_confirmed_even_when_storing_lags(make_site):
    """The server stores each batch 0.1 s late, so that when it is killed the client has
    had pongs for events that wait unstored, unless a pong means stored. (With gunicorn's
    own pongs, TEST_GUNICORN_ADAPTER=off, this fails every time; with no lag, about one
    run in five.)"""
    site = make_site(SLOW_APP, TEST_INGEST_DELAY="0.1")
    result = run_through_a_restart(site, sigkill, str(TASKS), "3")
    assert_every_task_run_recorded_once(site, result)
    assert site.server.server_errors() == []
