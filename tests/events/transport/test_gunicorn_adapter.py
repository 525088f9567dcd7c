"""The gunicorn adapter in-process, frame by frame (events/sockets/gunicorn_adapter.py):
ordered pings, the server-stopping message, and the version guard."""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any

import gunicorn
import pytest
from gunicorn.asgi.websocket import (
    OPCODE_CLOSE,
    OPCODE_PING,
    OPCODE_PONG,
    OPCODE_TEXT,
    WebSocketProtocol,
)

from events.sockets import gunicorn_adapter
from events.sockets.connection import (
    ENABLE_ORDERED_PINGS,
    ORDERED_PINGS,
    PING,
    PONG,
    SERVER_STOPPING,
)
from events.sockets.gunicorn_adapter import EventSocketProtocol


class Transport:
    def __init__(self) -> None:
        self.written = bytearray()

    def write(self, data: bytes) -> None:
        self.written += data

    def pause_reading(self) -> None: ...
    def resume_reading(self) -> None: ...
    def close(self) -> None: ...


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (an all-zero mask leaves the payload as it is)."""
    assert len(payload) < 126
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


def pong_frame(payload: bytes) -> bytes:
    return bytes([0x80 | OPCODE_PONG, len(payload)]) + payload


SCOPE = {"type": "websocket", "path": "/api/events/in", "headers": [(b"sec-websocket-key", b"k")]}


async def converse(
    frames: list[bytes], *, ordered: bool, answer_pings: bool, count: int, stop: bool = False
) -> tuple[list[dict[str, Any]], list[bytes], Transport]:
    """Run an app on the protocol: it receives `count` messages after the connect, noting
    what the transport held before each one, and pongs the pings if told to; then the client
    closes."""
    transport = Transport()
    received: list[dict[str, Any]] = []
    written_before: list[bytes] = []

    async def app(scope: dict, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        if ordered:
            await send({"type": ENABLE_ORDERED_PINGS})
        await send({"type": "websocket.accept"})
        protocol.feed_data(b"".join(frames))
        if stop:
            await asyncio.sleep(0.05)  # every frame read
            protocol.server_stopping()
        for _ in range(count):
            written_before.append(bytes(transport.written))
            message = await receive()
            received.append(message)
            if message["type"] == PING and answer_pings:
                await send({"type": PONG, "bytes": message["bytes"]})
        protocol.feed_data(client_frame(OPCODE_CLOSE, struct.pack("!H", 1000)))
        while (await receive())["type"] != "websocket.disconnect":
            pass

    protocol = EventSocketProtocol(transport, dict(SCOPE), app, logging.getLogger("test"))
    await asyncio.wait_for(protocol.run(), 5)
    assert protocol.scope["extensions"].keys() >= {ORDERED_PINGS, SERVER_STOPPING}
    return received, written_before, transport


def _texts_and_pings(received: list[dict[str, Any]]) -> list[Any]:
    return [m.get("text") or (m["type"], m.get("bytes")) for m in received]


FRAMES = [
    client_frame(OPCODE_TEXT, b"a"),
    client_frame(OPCODE_TEXT, b"b"),
    client_frame(OPCODE_PING, b"p1"),
    client_frame(OPCODE_TEXT, b"c"),
]


def test_an_ordered_ping_reaches_the_app_behind_the_frames_before_it_and_waits_for_its_pong():
    received, written_before, transport = asyncio.run(
        converse(FRAMES, ordered=True, answer_pings=True, count=4)
    )
    assert _texts_and_pings(received) == ["a", "b", (PING, b"p1"), "c"]
    assert pong_frame(b"p1") not in written_before[2]  # not answered when read off the wire
    assert pong_frame(b"p1") in written_before[3]  # but by the app, when it got there
    assert transport.written.count(pong_frame(b"p1")) == 1


def test_an_unanswered_ordered_ping_gets_no_pong():
    _, _, transport = asyncio.run(converse(FRAMES, ordered=True, answer_pings=False, count=4))
    assert pong_frame(b"p1") not in transport.written


def test_a_socket_that_did_not_ask_gets_gunicorns_immediate_pong_and_no_ping_message():
    received, written_before, transport = asyncio.run(
        converse(FRAMES, ordered=False, answer_pings=False, count=3)
    )
    assert _texts_and_pings(received) == ["a", "b", "c"]
    assert pong_frame(b"p1") in written_before[1]  # the app had read "a" only
    assert transport.written.count(pong_frame(b"p1")) == 1


def test_server_stopping_comes_after_the_frames_already_read():
    received, _, _ = asyncio.run(
        converse(FRAMES[:2], ordered=True, answer_pings=True, count=3, stop=True)
    )
    assert [m["type"] for m in received] == [
        "websocket.receive",
        "websocket.receive",
        SERVER_STOPPING,
    ]


def test_the_workers_shutdown_tells_every_open_socket_before_gunicorns_own(monkeypatch):
    calls: list[str] = []

    class Socket:
        def server_stopping(self) -> None:
            calls.append("socket told")

    async def gunicorn_shutdown(worker: object) -> None:
        calls.append("gunicorn shutdown")

    monkeypatch.setattr(EventSocketProtocol, "running", {Socket(), Socket()})
    monkeypatch.setattr(gunicorn_adapter, "_gunicorn_shutdown", gunicorn_shutdown)
    asyncio.run(gunicorn_adapter._shutdown(object()))  # type: ignore[arg-type]
    assert calls == ["socket told", "socket told", "gunicorn shutdown"]


def test_the_installed_gunicorn_is_the_one_the_adapter_was_written_for():
    """Fails on a gunicorn upgrade: review gunicorn_adapter.py against the new version."""
    assert gunicorn.__version__ == gunicorn_adapter.GUNICORN_VERSION


def test_install_refuses_another_gunicorn_version(monkeypatch):
    monkeypatch.setattr(gunicorn, "__version__", "27.0.2")
    with pytest.raises(gunicorn_adapter.UnsupportedGunicorn, match=r"27\.0\.1.*27\.0\.2"):
        gunicorn_adapter.install()
    assert not gunicorn_adapter.installed()


def test_install_and_uninstall_swap_the_protocol_and_the_shutdown():
    from gunicorn.asgi import websocket
    from gunicorn.workers import gasgi

    was_installed = gunicorn_adapter.installed()
    try:
        gunicorn_adapter.install()
        assert websocket.WebSocketProtocol is EventSocketProtocol
        assert gasgi.ASGIWorker._shutdown is gunicorn_adapter._shutdown
        gunicorn_adapter.uninstall()
        assert websocket.WebSocketProtocol is WebSocketProtocol
        assert gasgi.ASGIWorker._shutdown is gunicorn_adapter._gunicorn_shutdown
    finally:
        (gunicorn_adapter.install if was_installed else gunicorn_adapter.uninstall)()
