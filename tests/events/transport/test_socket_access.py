"""API keys on the event sockets (auth.md §3, beyond Prefect): the auth message's token may be
an API key; its user needs write access for `events/in` and read access for `events/out` and
`logs/out`; task runs recorded from its events name the key as their states' actor."""

from __future__ import annotations

import base64
import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.events.task_run_events import lifecycle

from .conftest import AUTH_STRING, serve
from .helpers import checkpoint, eventually, open_socket
from .live import Live, postgres


@pytest.fixture(scope="module")
def live_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from serve(tmp_path_factory, PREFECT_SERVER_API_AUTH_STRING=AUTH_STRING)


USERS = {"read": "reader", "write": "writer", "gone": "leaver"}


@pytest.fixture(scope="module")
def keys(live_keys: Live) -> dict[str, str]:
    """A key per level (`read`, `write`), and a revoked write key (`gone`)."""
    names = ", ".join(repr(name) for name in USERS.values())
    code = (
        f"from django.contrib.auth.models import User\nfor n in ({names}): User(username=n).save()"
    )
    live_keys.manage("shell", "-c", code)
    made = {}
    for level, user in USERS.items():
        grant = "write" if level == "gone" else level
        made[level] = live_keys.manage(
            "api_key", "create", "--user", user, "--grant", grant
        ).strip()
    live_keys.manage("api_key", "revoke", made["gone"].split(".")[0], "--no-input")
    return made


def query(live: Live, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    if live.on_postgres:
        with postgres().connect(live.dbname) as conn:
            return conn.execute(sql, params).fetchall()
    with contextlib.closing(sqlite3.connect(live.workdir / "db.sqlite3")) as conn:
        return conn.execute(sql.replace("%s", "?"), params).fetchall()


def closed_with(live: Live, path: str, token: str) -> tuple[int, str]:
    ws = connect(f"{live.ws}{path}", subprotocols=["prefect"], open_timeout=10)  # type: ignore[list-item]
    ws.send(json.dumps({"type": "auth", "token": token}))
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


@pytest.mark.parametrize("path", ["/events/in", "/events/out", "/logs/out"])
def test_a_write_key_opens_every_socket(live_keys, keys, path):
    open_socket(live_keys, path, token=keys["write"]).close()


@pytest.mark.parametrize("path", ["/events/out", "/logs/out"])
def test_a_read_key_opens_the_reading_sockets(live_keys, keys, path):
    open_socket(live_keys, path, token=keys["read"]).close()


def test_a_read_key_may_not_send_events(live_keys, keys):
    assert closed_with(live_keys, "/events/in", keys["read"]) == (1008, "Insufficient permissions")


def test_a_revoked_key_is_an_invalid_token(live_keys, keys):
    assert closed_with(live_keys, "/events/in", keys["gone"]) == (1008, "Invalid token")


def test_task_runs_recorded_from_a_keys_events_name_it(live_keys, keys):
    basic = "Basic " + base64.b64encode(keys["write"].encode()).decode()

    def post(path: str, body: Any) -> Any:
        import urllib.request

        request = urllib.request.Request(
            f"{live_keys.url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": basic},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    flow = post("/flows/", {"name": "audited"})
    run = post("/flow_runs/", {"flow_id": flow["id"], "state": {"type": "RUNNING"}})
    task_run_id = uuid.uuid4()
    events = lifecycle(
        task_run_id=task_run_id, flow_run_id=uuid.UUID(run["id"]), start=datetime.now(UTC)
    )
    with open_socket(live_keys, "/events/in", token=keys["write"]) as ws:
        for item in events:
            ws.send(json.dumps(item))
        checkpoint(ws)
    sql = "SELECT actor FROM task_run_state WHERE task_run_id = %s"
    param = str(task_run_id) if live_keys.on_postgres else task_run_id.hex
    actors = eventually(lambda: (rows := query(live_keys, sql, param)) and len(rows) == 3 and rows)
    prefix = keys["write"].split(".")[0]
    assert [actor for (actor,) in actors] == [f"apikey:{prefix}:writer"] * 3
    flow_run_actors = query(
        live_keys,
        "SELECT actor FROM flow_run_state WHERE flow_run_id = %s",
        run["id"] if live_keys.on_postgres else uuid.UUID(run["id"]).hex,
    )
    assert flow_run_actors == [(f"apikey:{prefix}:writer",)]
