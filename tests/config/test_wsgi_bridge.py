"""`config.wsgi_bridge`: an ordinary response comes back from the pool thread whole and is
sent by the loop in two messages; a streaming one is relayed chunk by chunk; bodies reach
Django; Django's end-of-request upkeep runs either way."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from django.core.signals import request_finished
from django.http import StreamingHttpResponse

from config.wsgi_bridge import WSGIBridge


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "http_version": "1.1",
        "headers": headers or [],
        "server": ("127.0.0.1", 4200),
        "client": ("127.0.0.1", 50000),
    }


def _serve(bridge: WSGIBridge, scope: dict, body: bytes = b"") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(bridge(scope, receive, send))
    return sent


@pytest.fixture
def bridge():
    bridge = WSGIBridge(threads=2)
    yield bridge
    bridge.shutdown()


@pytest.fixture
def finished_requests():
    finished: list[object] = []

    def count(sender: object, **kwargs: object) -> None:
        finished.append(sender)

    request_finished.connect(count)
    yield finished
    request_finished.disconnect(count)


def test_an_ordinary_response_is_sent_whole_in_two_messages(bridge, finished_requests):
    sent = _serve(bridge, _scope("GET", "/api/health"))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200
    assert (b"content-type", b"application/json") in sent[0]["headers"]
    assert sent[1]["body"] == b"true" and not sent[1].get("more_body")
    assert len(finished_requests) == 1


def test_the_body_reaches_django(bridge):
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1")]
    sent = _serve(bridge, _scope("POST", "/api/flow_runs/filter", headers), b"{")
    assert sent[0]["status"] == 422
    assert json.loads(sent[1]["body"])["exception_detail"][0]["type"] == "json_invalid"


def test_a_streaming_response_is_relayed_chunk_by_chunk(bridge, finished_requests):
    def handler(environ: dict, start_response: Any) -> StreamingHttpResponse:
        response = StreamingHttpResponse(iter([b"one", b"two"]), content_type="text/plain")
        start_response("200 OK", list(response.items()))
        return response

    bridge.handler = handler  # type: ignore[assignment]
    sent = _serve(bridge, _scope("GET", "/stream"))
    assert [m["type"] for m in sent] == ["http.response.start"] + ["http.response.body"] * 3
    assert [m["body"] for m in sent[1:]] == [b"one", b"two", b""]
    assert [m.get("more_body", False) for m in sent[1:]] == [True, True, False]
    assert len(finished_requests) == 1  # StreamingHttpResponse.close() sent it


def test_shutdown_closes_each_pool_threads_connection(monkeypatch):
    bridge = WSGIBridge(threads=3)
    closed_by: set[str] = set()
    monkeypatch.setattr(
        "config.wsgi_bridge.connections.close_all",
        lambda: closed_by.add(threading.current_thread().name),
    )
    bridge.shutdown(timeout=2)
    assert len(closed_by) == 3  # one closing task per pool thread, none twice
    assert all(name.startswith("WSGI") for name in closed_by)
    with pytest.raises(RuntimeError):
        bridge.app.executor.submit(print)


def test_a_head_answer_has_the_get_headers_and_no_body(bridge):
    sent = _serve(bridge, _scope("HEAD", "/api/health"))
    assert sent[0]["status"] == 200
    assert (b"content-length", b"4") in sent[0]["headers"]
    assert sent[1]["body"] == b""
