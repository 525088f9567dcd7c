"""`WS /api/events/out` and `WS /api/logs/out` against a live server (events.md §8.5)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from websockets.exceptions import ConnectionClosed

from .helpers import (
    checkpoint,
    event,
    eventually,
    live_filter,
    open_socket,
    receive_json,
    stored,
    unique,
)


def _subscribe(live, prefix: str, **message):
    ws = open_socket(live, "/events/out")
    body = {"type": "filter", "filter": live_filter(event={"prefix": [prefix]}), **message}
    ws.send(json.dumps(body))
    return ws


def _emit(live, *items) -> None:
    with open_socket(live, "/events/in") as ws:
        for item in items:
            ws.send(json.dumps(item))
        checkpoint(ws)


def _closed_with(ws) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_backfill_then_live_events_each_sent_once(live):
    name = unique("test.out")
    earlier = [event(f"{name}.old.{i}") for i in range(3)]
    _emit(live, *earlier)
    assert eventually(lambda: len(stored(live, name)) == 3)

    with _subscribe(live, name) as ws:
        backfilled = [receive_json(ws) for _ in range(3)]
        assert {m["type"] for m in backfilled} == {"event"}
        assert [m["event"]["id"] for m in backfilled] == [e["id"] for e in earlier]
        assert set(backfilled[0]["event"]) == {
            "occurred", "event", "resource", "related", "payload", "id", "follows", "received",
        }  # fmt: skip
        later = event(f"{name}.new")
        _emit(live, earlier[0], later)  # a resend of a backfilled event is not stored again
        assert receive_json(ws)["event"]["id"] == later["id"]
        with pytest.raises(TimeoutError):
            ws.recv(timeout=1)


def test_backfill_false_sends_only_live_events(live):
    name = unique("test.nobackfill")
    _emit(live, event(name))
    assert eventually(lambda: stored(live, name))
    with _subscribe(live, name, backfill=False) as ws:
        live_ids = []
        for _ in range(40):  # the subscription starts a moment after the filter is read
            live_ids.append(event(name))
            _emit(live, live_ids[-1])
            try:
                first = receive_json(ws, timeout=0.5)
                break
            except TimeoutError:
                continue
        assert first["event"]["id"] in {e["id"] for e in live_ids}


def test_live_matching_applies_the_filter(live):
    name = unique("test.match")
    with _subscribe(live, f"{name}.yes") as ws:
        _emit(live, event(f"{name}.no"), event(f"{name}.yes.1"))
        assert receive_json(ws)["event"]["event"] == f"{name}.yes.1"


def test_a_non_filter_message_closes_with_1002(live):
    ws = open_socket(live, "/events/out")
    ws.send(json.dumps({"type": "subscribe"}))
    assert _closed_with(ws) == (1002, "Expected 'filter' message")


def test_an_invalid_filter_closes_with_1002_and_a_short_reason(live):
    ws = open_socket(live, "/events/out")
    bad = {"occurred": {"since": "whenever"}, "event": {"nope": 1}, "extra": True}
    ws.send(json.dumps({"type": "filter", "filter": bad}))
    code, reason = _closed_with(ws)
    assert code == 1002 and reason.startswith("Invalid filter: ")
    assert len(reason.encode()) <= 123


def test_logs_out_streams_logs_posted_over_rest(live):
    run_id = str(uuid.uuid4())
    ws = open_socket(live, "/logs/out")
    log_filter = {"flow_run_id": {"any_": [run_id]}, "level": {"ge_": 20}}
    ws.send(json.dumps({"type": "filter", "filter": log_filter}))
    checkpoint(ws)
    now = datetime.now(UTC).isoformat()
    logs = [
        {"name": "t", "level": 10, "message": "debug, filtered out", "timestamp": now,
         "flow_run_id": run_id},
        {"name": "t", "level": 20, "message": "other run", "timestamp": now,
         "flow_run_id": str(uuid.uuid4())},
        {"name": "t", "level": 40, "message": "wanted", "timestamp": now, "flow_run_id": run_id},
    ]  # fmt: skip
    message = _first_after_posting(live, ws, logs)
    assert message["type"] == "log"
    assert message["log"]["message"] == "wanted"
    assert list(message["log"]) == [
        "id", "created", "updated", "name", "level", "message", "timestamp", "flow_run_id",
        "task_run_id",
    ]  # fmt: skip
    ws.close()


def _first_after_posting(live, ws, logs) -> dict:
    """Logs are not backfilled, and the server subscribes a moment after reading the filter:
    post until the first message arrives (nothing acknowledges the subscription)."""
    for _ in range(40):
        status, _ = live.post("/logs/", logs)
        assert status == 201
        try:
            return receive_json(ws, timeout=0.5)
        except TimeoutError:
            continue
    raise AssertionError("no log arrived")


def test_logs_out_refuses_a_bad_filter_with_1002(live):
    ws = open_socket(live, "/logs/out")
    ws.send(json.dumps({"type": "filter", "filter": {"level": {"gte": 1}}}))
    code, reason = _closed_with(ws)
    assert code == 1002 and reason.startswith("Invalid filter: ")
