"""`/api/events/in` when storing fails, driven in-process through the ASGI websocket app.

A pong means stored (events.md §3.4), so when the database is unavailable the socket must
close with 1011 and leave the pings behind the failed frames unanswered: the client then
reconnects and resends them. An event that fails on its own (not the database) is skipped
and the socket goes on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError

from events.models import Event
from events.sockets import db as socket_db
from events.sockets import events_in as events_in_module
from events.sockets.connection import (
    ENABLE_ORDERED_PINGS,
    ORDERED_PINGS,
    PING,
    PONG,
    SERVER_STOPPING,
)
from events.sockets.routing import websocket_app

from .helpers import event, unique

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _socket_threads_closed() -> Iterator[None]:
    """The socket threads keep their connections (CONN_MAX_AGE): close them after each test,
    as the server's shutdown does, so the test database can be dropped."""
    yield
    socket_db.shutdown()


class FakeClient:
    """The client's side of one websocket, as ASGI messages: what it sends, what it got."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for message in messages:
            self.incoming.put_nowait(message)
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.incoming.empty():  # the client has nothing more to say: it waits, then leaves
            await asyncio.sleep(0.5)
            return {"type": "websocket.disconnect", "code": 1000}
        return await self.incoming.get()

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.sent if message["type"] == kind]


def _conversation(*items: dict[str, Any] | bytes) -> list[dict[str, Any]]:
    """connect, auth, then each event as a text frame and each bytes item as a ping."""
    messages: list[dict[str, Any]] = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": json.dumps({"type": "auth", "token": None})},
    ]
    for item in items:
        if isinstance(item, bytes):
            messages.append({"type": PING, "bytes": item})
        else:
            messages.append({"type": "websocket.receive", "text": json.dumps(item)})
    return messages


def _run(client: FakeClient) -> None:
    scope = {
        "type": "websocket",
        "path": "/api/events/in",
        "headers": [(b"sec-websocket-protocol", b"prefect")],
        "extensions": {ORDERED_PINGS: {}},
    }
    asyncio.run(asyncio.wait_for(websocket_app(scope, client.receive, client.send), 30))


def test_database_unavailable_closes_1011_and_confirms_nothing(monkeypatch):
    def unavailable(events):
        raise OperationalError("connection refused")

    monkeypatch.setattr(events_in_module, "events_ingest", unavailable)
    name = unique("test.in.down")
    client = FakeClient(_conversation(event(f"{name}.1"), event(f"{name}.2"), b"p1"))

    _run(client)

    assert client.of_type(ENABLE_ORDERED_PINGS), "the socket asked for ordered pings"
    assert client.of_type(PONG) == [], "a pong would confirm events that were never stored"
    [close] = client.of_type("websocket.close")
    assert close["code"] == 1011


def test_one_event_that_cannot_be_stored_is_skipped_and_the_rest_confirmed(monkeypatch):
    stored: list[str] = []
    real_ingest = events_in_module.events_ingest

    def fails_on_poison(events):
        if any(item.event.endswith(".poison") for item in events):
            raise ValueError("this event cannot be stored")
        stored.extend(item.event for item in events)
        return real_ingest(events)

    monkeypatch.setattr(events_in_module, "events_ingest", fails_on_poison)
    name = unique("test.in.poison")
    client = FakeClient(
        _conversation(event(f"{name}.1"), event(f"{name}.poison"), event(f"{name}.2"), b"p1")
    )

    _run(client)

    assert sorted(stored) == [f"{name}.1", f"{name}.2"]
    assert [message["bytes"] for message in client.of_type(PONG)] == [b"p1"]
    assert [m["code"] for m in client.of_type("websocket.close")] in ([], [1000])


def test_a_stop_stores_the_frames_read_just_behind_it_and_answers_their_ping():
    name = unique("test.in.stop")
    messages = _conversation(event(f"{name}.before"))
    messages.append({"type": SERVER_STOPPING})
    messages += _conversation(event(f"{name}.after"), b"p1")[2:]
    client = FakeClient(messages)

    _run(client)

    assert sorted(Event.objects.filter(event__startswith=name).values_list("event", flat=True)) == [
        f"{name}.after",
        f"{name}.before",
    ]
    assert [message["bytes"] for message in client.of_type(PONG)] == [b"p1"]
    [close] = client.of_type("websocket.close")
    assert close["code"] == 1012
