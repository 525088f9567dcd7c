"""The real client against a server with authentication on (auth.md §4, §6.7; issue 12).

One server of this module's own, with `PREFECT_SERVER_API_AUTH_STRING` set and a user
`runner` holding a write-level API key. A two-task flow (`scenarios/auth.py`) runs:
* with `PREFECT_API_AUTH_STRING` (Prefect's shared password): completed, recorded with its
  task runs (the events socket authenticates with the string);
* with `PREFECT_API_AUTH_STRING=<API key>`: the same, and every state names the key's user;
* with `PREFECT_API_KEY=<API key>` (sent as Bearer): the flow run is recorded under the key,
  but its task runs are lost (the client sends the key on REST only);
* with no credential: the flow call raises the client's 401 error and nothing is created.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from .rest import Rest, eventually
from .runner import Client
from .server import LiveServer, Postgres
from .venv import REPO

pytestmark = [pytest.mark.compat, pytest.mark.postgres]

AUTH_STRING = "compat-user:compat-pass"


def basic(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


@dataclass
class Guarded:
    server: LiveServer
    postgres: Postgres
    dbname: str
    key: str
    compat_bin: Path
    home: Path

    def client(self, **env: str) -> Client:
        return Client(
            bin=self.compat_bin, api_url=f"{self.server.url}/api", home=self.home, extra_env=env
        )

    def rest(self) -> Rest:
        return Rest(f"{self.server.url}/api", authorization=basic(AUTH_STRING))

    def actors(self, table: str, run_column: str, run_id: str) -> list[str | None]:
        sql = f"SELECT actor FROM {table} WHERE {run_column} = %s ORDER BY timestamp"
        with self.postgres.connect(self.dbname) as conn:
            return [row[0] for row in conn.execute(sql, (run_id,)).fetchall()]


def manage(server: LiveServer, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=server._env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def guarded(compat_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guarded]:
    db = settings.DATABASES["default"]
    postgres = Postgres(
        host=db.get("HOST") or "127.0.0.1",
        port=int(db.get("PORT") or 5432),
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or "",
    )
    dbname = f"prefect_auth_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    logs = tmp_path_factory.mktemp("compat-auth")
    server = LiveServer(
        database_url=postgres.url(dbname),
        log_path=logs / "gunicorn.log",
        extra_env={"PREFECT_SERVER_API_AUTH_STRING": AUTH_STRING},
    )
    postgres.create_database(dbname)
    try:
        server.start(runtime_dir=logs)
        manage(
            server,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User(username='runner').save()",
        )
        key = manage(server, "api_key", "create", "--user", "runner", "--grant", "write").strip()
        home = tmp_path_factory.mktemp("prefect-home-auth")
        yield Guarded(server, postgres, dbname, key, compat_bin, home)
    finally:
        server.stop()
        postgres.drop_database(dbname)
    errors = server.server_errors()
    assert not errors, "the server answered with 5xx / raised:\n" + "\n".join(errors[:50])


def run_flow(client: Client, nonce: str | None = None) -> dict[str, Any]:
    return client.scenario("auth.py", nonce or uuid.uuid4().hex[:8], timeout=180).result


def completed_task_runs(guarded: Guarded, flow_run_id: str) -> list[dict[str, Any]]:
    rest = guarded.rest()
    return eventually(
        lambda: rest.task_runs(flow_run_id),
        lambda runs: len(runs) == 3 and all(r["state_type"] == "COMPLETED" for r in runs),
    )


def test_the_auth_string_runs_a_flow_and_records_its_tasks(guarded):
    result = run_flow(guarded.client(PREFECT_API_AUTH_STRING=AUTH_STRING))
    assert (result["state"], result["total"]) == ("COMPLETED", 10)
    run = guarded.rest().flow_run(result["flow_run_id"])
    assert run["state_type"] == "COMPLETED"
    task_runs = completed_task_runs(guarded, result["flow_run_id"])
    assert len(task_runs) == 3
    assert set(guarded.actors("flow_run_state", "flow_run_id", run["id"])) == {"auth-string"}


def test_an_api_key_as_the_auth_string_runs_a_flow_recorded_under_its_user(guarded):
    result = run_flow(guarded.client(PREFECT_API_AUTH_STRING=guarded.key))
    assert (result["state"], result["total"]) == ("COMPLETED", 10)
    actor = f"apikey:{guarded.key.split('.')[0]}:runner"
    assert set(guarded.actors("flow_run_state", "flow_run_id", result["flow_run_id"])) == {actor}
    for task_run in completed_task_runs(guarded, result["flow_run_id"]):
        assert set(guarded.actors("task_run_state", "task_run_id", task_run["id"])) == {actor}


def test_an_api_key_as_bearer_runs_a_flow_but_its_task_runs_are_lost(guarded):
    """PREFECT_API_KEY is sent as Bearer on REST, but the 3.8.8 client sends no credential on
    its events socket to a non-Cloud URL (token null): the server must refuse that socket, so
    task runs (reported as events) are not recorded and the client says so. The README tells
    users to set PREFECT_API_AUTH_STRING to the key instead; this pins the reason."""
    done = guarded.client(PREFECT_API_KEY=guarded.key).scenario("auth.py", "bearer", timeout=180)
    result = done.result
    assert (result["state"], result["total"]) == ("COMPLETED", 10)
    actor = f"apikey:{guarded.key.split('.')[0]}:runner"
    states = guarded.actors("flow_run_state", "flow_run_id", result["flow_run_id"])
    assert len(states) >= 3
    assert set(states) == {actor}
    assert any("Auth required but no token provided" in line for line in done.warnings())
    assert guarded.rest().task_runs(result["flow_run_id"]) == []


def test_without_a_credential_the_flow_call_raises_the_clients_401(guarded):
    result = run_flow(guarded.client(), nonce="anonymous")
    flows = guarded.rest().post("/flows/filter", {})
    assert "compat-auth-anonymous" not in [flow["name"] for flow in flows]
    error = result["error"]
    assert error["type"] == "PrefectHTTPStatusError"
    assert error["status"] == 401
    assert "401 Unauthorized" in error["message"]
    assert "/api/admin/version" in error["message"]
    assert "{'exception_message': 'Unauthorized'}" in error["message"]
