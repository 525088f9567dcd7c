"""`WS /api/events/in` against a live server (events.md §3, auth.md §3)."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from .conftest import AUTH_STRING
from .helpers import checkpoint, event, eventually, open_socket, stored, unique


def test_handshake_selects_prefect_and_answers_auth_success(live):
    ws = connect(f"{live.ws}/events/in", subprotocols=["prefect"], open_timeout=10)  # type: ignore[list-item]
    assert ws.subprotocol == "prefect"
    ws.send(json.dumps({"type": "auth", "token": "ignored when auth is off"}))
    assert json.loads(ws.recv(timeout=10)) == {"type": "auth_success"}
    ws.close()


def test_events_sent_after_the_handshake_are_stored_in_order(live):
    name = unique("test.in")
    sent = [event(f"{name}.{i}") for i in range(5)]
    with open_socket(live, "/events/in") as ws:
        for item in sent:
            ws.send(json.dumps(item))
        checkpoint(ws)
    rows = eventually(lambda: len(stored(live, name)) == 5 and stored(live, name))
    assert sorted(row["id"] for row in rows) == sorted(item["id"] for item in sent)


def test_legacy_mode_without_subprotocol_needs_no_auth_message(live):
    name = unique("test.legacy")
    with connect(f"{live.ws}/events/in", open_timeout=10) as ws:
        assert ws.subprotocol is None
        ws.send(json.dumps(event(name)))
        checkpoint(ws)
    assert eventually(lambda: len(stored(live, name)) == 1)


def test_bad_frames_are_skipped_and_the_socket_stays_open(live):
    name = unique("test.bad")
    good = event(name)
    no_resource_id = {**event(name), "resource": {}}
    with open_socket(live, "/events/in") as ws:
        ws.send("not json at all")
        ws.send(json.dumps(no_resource_id))
        ws.send(json.dumps({**event(name), "occurred": "yesterday"}))
        ws.send(b"\xff\xfe not utf-8")
        ws.send(json.dumps(good))
        checkpoint(ws)
        assert eventually(lambda: [row["id"] for row in stored(live, name)] == [good["id"]])
        ws.send(json.dumps(event(name)))  # still open and still ingesting
        checkpoint(ws)
    assert eventually(lambda: len(stored(live, name)) == 2)


def test_binary_frames_are_read_as_utf8_json(live):
    name = unique("test.binary")
    with open_socket(live, "/events/in") as ws:
        ws.send(json.dumps(event(name, payload={"text": "żółw"})).encode())
        checkpoint(ws)
    rows = eventually(lambda: stored(live, name))
    assert rows[0]["payload"] == {"text": "żółw"}


def test_a_resent_event_is_stored_once(live):
    name = unique("test.resend")
    item = event(name)
    with open_socket(live, "/events/in") as ws:
        ws.send(json.dumps(item))
        ws.send(json.dumps(item))
        checkpoint(ws)
    with open_socket(live, "/events/in") as ws:  # the client's resend after a reconnect
        ws.send(json.dumps(item))
        ws.send(json.dumps(event(name)))
        checkpoint(ws)
    assert eventually(lambda: len(stored(live, name)) == 2)
    assert [row["id"] for row in stored(live, name)].count(item["id"]) == 1


def test_frames_up_to_two_mib_are_accepted(live):
    """A 1.6 MB event is read (not a protocol error) and dropped by the size rule (§2.3)."""
    name = unique("test.big")
    large = event(name, payload={"blob": "x" * 1_600_000})
    fits = event(name, payload={"blob": "y" * 1_000_000})
    with open_socket(live, "/events/in") as ws:
        ws.send(json.dumps(large))
        ws.send(json.dumps(fits))
        ws.send(json.dumps(event(name)))
        checkpoint(ws)
    rows = eventually(lambda: len(stored(live, name)) == 2 and stored(live, name))
    assert large["id"] not in {row["id"] for row in rows}
    assert fits["id"] in {row["id"] for row in rows}


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        ({"type": "hello", "token": AUTH_STRING}, "Expected 'auth' message"),
        ({"type": "auth"}, "Auth required but no token provided"),
        ({"type": "auth", "token": None}, "Auth required but no token provided"),
        ({"type": "auth", "token": ""}, "Auth required but no token provided"),
        ({"type": "auth", "token": "dXNlcjpwYXNz"}, "Invalid token"),  # base64 of it
        ({"type": "auth", "token": "user:wrong"}, "Invalid token"),
        ("not json", "Expected 'auth' message"),  # Prefect drops the connection instead
    ],
)
@pytest.mark.parametrize("path", ["/events/in", "/events/out", "/logs/out"])
def test_auth_failures_close_with_1008_and_prefects_reason(live_auth, path, first, reason):
    ws = connect(f"{live_auth.ws}{path}", subprotocols=["prefect"], open_timeout=10)  # type: ignore[list-item]
    ws.send(first if isinstance(first, str) else json.dumps(first))
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, reason)


@pytest.mark.parametrize("path", ["/events/in", "/events/out", "/logs/out"])
def test_auth_on_accepts_the_auth_string_verbatim(live_auth, path):
    ws = open_socket(live_auth, path, token=AUTH_STRING)
    ws.close()


def test_auth_on_refuses_the_upgrade_without_the_subprotocol(live_auth):
    headers = {"Authorization": "Basic dXNlcjpwYXNz"}
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{live_auth.ws}/events/in", additional_headers=headers, open_timeout=10)
    assert refused.value.response.status_code == 403


def test_unknown_socket_paths_are_refused(live):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{live.ws}/events/nope", open_timeout=10)
    assert refused.value.response.status_code == 403
