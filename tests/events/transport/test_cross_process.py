"""Live delivery across processes through PostgreSQL LISTEN/NOTIFY (events.bus).

The events and logs here are stored by *another process* (`manage.py shell` on the live
server's database), so only the database can carry them to the server's subscriber; the
server itself runs two gunicorn workers, each with its own listener.
"""

from __future__ import annotations

import json
import uuid

import pytest

from events.bus_listener import APPLICATION_NAME

from .helpers import event, eventually, live_filter, open_socket, receive_json, unique
from .live import postgres

pytestmark = pytest.mark.postgres

INGEST = """
import json, sys
from events.schemas import EventIn
from events.services.ingest import events_ingest
events_ingest([EventIn.model_validate(e) for e in json.loads({payload!r})])
"""

LOGS = """
import json
from datetime import datetime
from logs_app.services import logs_create
logs = json.loads({payload!r})
for log in logs:
    log["timestamp"] = datetime.fromisoformat(log["timestamp"])
logs_create(logs=logs)
"""


def _subscribe_events(live, prefix: str):
    """A live-only subscriber (no backfill), returned once a probe event went through it, so
    that whatever arrives afterwards came through the live path."""
    ws = open_socket(live, "/events/out")
    filter_ = live_filter(event={"prefix": [prefix]})
    ws.send(json.dumps({"type": "filter", "filter": filter_, "backfill": False}))
    with open_socket(live, "/events/in") as sender:
        for _ in range(50):
            sender.send(json.dumps(event(f"{prefix}.probe")))
            try:
                while receive_json(ws, timeout=0.3)["event"]["event"] != f"{prefix}.probe":
                    pass
                return ws
            except TimeoutError:
                continue
    raise AssertionError("the subscription never became live")


def _next_events(ws, count: int) -> list[dict]:
    """The next `count` events, skipping leftover probes."""
    found: list[dict] = []
    while len(found) < count:
        message = receive_json(ws)["event"]
        if not message["event"].endswith(".probe"):
            found.append(message)
    return found


def test_an_event_stored_by_another_process_reaches_the_subscriber(live):
    name = unique("test.xproc")
    small = event(f"{name}.small")
    big = event(f"{name}.big", payload={"text": "ünïcode " * 4000})  # ~40 kB: chunked NOTIFY
    with _subscribe_events(live, name) as ws:
        live.manage("shell", "-c", INGEST.format(payload=json.dumps([small, big])))
        received = _next_events(ws, 2)
    assert [e["id"] for e in received] == [small["id"], big["id"]]
    assert received[1]["payload"] == big["payload"]


def test_a_log_stored_by_another_process_reaches_the_logs_subscriber(live):
    run_id = str(uuid.uuid4())
    with open_socket(live, "/logs/out") as ws:
        ws.send(json.dumps({"type": "filter", "filter": {"flow_run_id": {"any_": [run_id]}}}))
        ws.ping().wait(10)
        log = {
            "name": "xproc",
            "level": 20,
            "message": "from another process",
            "timestamp": "2026-01-01T00:00:00+00:00",
            "flow_run_id": run_id,
        }
        for _ in range(10):  # no backfill for logs: repeat until the subscription is in place
            live.manage("shell", "-c", LOGS.format(payload=json.dumps([log])))
            try:
                message = receive_json(ws, timeout=2)
                break
            except TimeoutError:
                continue
        assert message["log"]["message"] == "from another process"


def test_every_worker_listens_and_a_lost_listener_interrupts_and_reconnects(live):
    def listeners() -> list[int]:
        with postgres().connect() as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                [live.dbname, APPLICATION_NAME],
            ).fetchall()
        return [row[0] for row in rows]

    assert eventually(lambda: len(listeners()) == 2)  # one per worker
    name = unique("test.reconnect")
    ws = _subscribe_events(live, name)
    with postgres().connect() as conn:
        for pid in listeners():
            conn.execute("SELECT pg_terminate_backend(%s)", [pid])
    with _closed() as closed:
        while True:  # leftover probes, then the close
            ws.recv(timeout=15)
    assert closed.code == 1013  # the client reconnects and backfills what it missed
    assert eventually(lambda: len(listeners()) == 2, timeout=20)
    with _subscribe_events(live, name) as again:
        item = event(name)
        live.manage("shell", "-c", INGEST.format(payload=json.dumps([item])))
        assert _next_events(again, 1)[0]["id"] == item["id"]


class _closed:
    """Expect the server to close the socket; records the close code."""

    code: int | None = None

    def __enter__(self) -> _closed:
        return self

    def __exit__(self, kind, error, tb) -> bool:
        from websockets.exceptions import ConnectionClosed

        assert isinstance(error, ConnectionClosed), f"not closed: {error!r}"
        self.code = error.rcvd.code if error.rcvd else None
        return True
