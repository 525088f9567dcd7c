"""`/api/events/out` while the database is unavailable, driven in-process through the ASGI
websocket app: the socket closes so the client reconnects and backfills, and the server logs
one line, not a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import psycopg
import pytest
from django.db import OperationalError

from events.bus import EVENTS, StreamInterrupted, hub
from events.sockets import events_out as events_out_module
from events.sockets.routing import websocket_app

pytestmark = pytest.mark.django_db(transaction=True)


def lost_connection() -> OperationalError:
    error = OperationalError("consuming input failed: server closed the connection")
    error.__cause__ = psycopg.OperationalError("consuming input failed")
    return error


def subscribe_to_events_out() -> list[dict[str, Any]]:
    """Connect, authenticate, send a filter; answers what the server sent."""
    incoming = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": json.dumps({"type": "auth", "token": None})},
        {"type": "websocket.receive", "text": json.dumps({"type": "filter", "filter": {}})},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(5)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/api/events/out",
        "headers": [(b"sec-websocket-protocol", b"prefect")],
    }
    asyncio.run(asyncio.wait_for(websocket_app(scope, receive, send), 30))
    return sent


def closes(sent: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(m["code"], m.get("reason", "")) for m in sent if m["type"] == "websocket.close"]


def test_a_backfill_that_loses_the_database_closes_1011_with_one_log_line(monkeypatch, caplog):
    def lost(*args: Any, **kwargs: Any) -> Any:
        raise lost_connection()

    monkeypatch.setattr(events_out_module, "events_backfill", lost)
    caplog.set_level(logging.INFO, logger="events")

    sent = subscribe_to_events_out()

    assert closes(sent) == [(1011, "Database unavailable")]
    assert [(r.levelname, r.exc_info) for r in caplog.records] == [("WARNING", None)]
    assert "database unavailable: consuming input failed" in caplog.records[0].getMessage()


def test_with_no_live_stream_the_socket_closes_1013_so_the_client_tries_again(monkeypatch):
    async def not_connected(channel: str, matches: Any) -> Any:
        raise StreamInterrupted("the live stream is not connected")

    monkeypatch.setattr(hub, "subscribe", not_connected)

    assert closes(subscribe_to_events_out()) == [(1013, "Live stream unavailable, reconnect")]


def test_subscribing_while_the_listener_cannot_reach_the_database_is_interrupted(monkeypatch):
    monkeypatch.setattr(hub, "listening", True)
    monkeypatch.setattr(hub, "ready", asyncio.Event())  # the listener never connects

    with pytest.raises(StreamInterrupted):
        asyncio.run(hub.subscribe(EVENTS, lambda item: True, timeout=0.05))
