"""`OPTIONS` on any route, chunked request bodies, and content types that are not JSON."""

from __future__ import annotations

import asyncio

import pytest
from a2wsgi import WSGIMiddleware
from django.http import HttpResponse
from django.test import override_settings

from config.wsgi_bridge import WSGIBridge
from flowruns.models import Flow

from .helpers import detail, send, stored_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/flow_runs/", {"GET", "POST"}),
        ("/api/flows/", {"GET", "POST"}),
        ("/api/flow_runs/filter", {"POST"}),
        ("/api/flow_runs/00000000-0000-4000-8000-000000000000", {"GET", "PATCH", "DELETE"}),
        ("/api/logs/", {"POST"}),
        ("/api/events/filter", {"POST"}),
        ("/api/health", {"GET"}),
    ],
)
def test_options_answers_the_route_and_its_methods(api, path, allowed):
    response = api.options(path)
    assert response.status_code == 200
    assert allowed <= {m.strip() for m in response["Allow"].split(",")}
    assert response.json()["parses"] == ["application/json"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_json_body_sent_as_another_type_is_refused(api, content_type):
    before = stored_rows()
    response = send(api, "POST", "/api/flows/", '{"name": "f"}', content_type=content_type)
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body"]
    assert stored_rows() == before


def test_a_field_body_sent_as_text_reports_its_fields_missing(api):
    body = '{"state": {"type": "RUNNING"}}'
    response = send(api, "POST", "/api/flow_runs/bulk_delete", "{}", content_type="text/plain")
    assert response.status_code == 422  # as FastAPI: no field can be read from text
    assert ["body", "flow_runs"] in [e["loc"] for e in detail(response)]
    response = send(
        api,
        "POST",
        "/api/flow_runs/00000000-0000-4000-8000-000000000000/set_state",
        body,
        content_type="text/plain",
    )
    assert response.status_code == 422
    assert ["body", "state"] in [e["loc"] for e in detail(response)]


@pytest.mark.parametrize(
    "content_type",
    ["", "application/json", "application/json; charset=utf-8", "application/vnd.x+json"],
)
def test_json_or_no_content_type_is_parsed(api, content_type):
    response = send(api, "POST", "/api/flows/", '{"name": "f"}', content_type=content_type)
    assert response.status_code == 201
    assert Flow.objects.get().name == "f"


def test_a_chunked_body_django_cannot_measure_is_a_411(api):
    # a WSGI server that passes a chunked body without a length (the ASGI bridge measures it)
    response = send(
        api,
        "POST",
        "/api/flows/",
        b"",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert response.json() == {"detail": "Length Required"}
    assert not Flow.objects.exists()


class RecordingHandler:
    """A WSGI application in Django's place: what the bridge handed it."""

    def __init__(self) -> None:
        self.content_length: int | None = None
        self.body = b""

    def __call__(self, environ, start_response):
        self.content_length = int(environ.get("CONTENT_LENGTH") or -1)
        self.body = environ["wsgi.input"].read(max(self.content_length, 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return HttpResponse(b"ok")  # iterable, with the close() the bridge calls


def bridge_call(chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> RecordingHandler:
    bridge = WSGIBridge(threads=1)
    handler = RecordingHandler()
    bridge.handler = handler  # bodies read whole: run on the pool thread directly
    bridge.app = WSGIMiddleware(handler, workers=1)  # oversized bodies: a2wsgi streams them
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        pass

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/flows/",
        "raw_path": b"/api/flows/",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1234),
    }
    try:
        asyncio.run(bridge(scope, receive, send))
    finally:
        bridge.app.executor.shutdown()
    return handler


def test_the_asgi_bridge_gives_a_chunked_body_its_length():
    app = bridge_call([b'{"name":', b' "f"}'], [(b"transfer-encoding", b"chunked")])
    assert app.content_length == 13
    assert app.body == b'{"name": "f"}'


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8)
def test_an_oversized_chunked_body_declares_enough_for_the_413():
    app = bridge_call([b"0123456789", b"more", b"end"], [(b"transfer-encoding", b"chunked")])
    assert app.content_length is not None and app.content_length > 8


def test_an_empty_chunked_body_is_declared_empty():
    app = bridge_call([b""], [(b"transfer-encoding", b"chunked")])
    assert app.content_length == 0


def test_a_declared_length_is_left_alone():
    app = bridge_call([b"{}"], [(b"content-length", b"2")])
    assert app.content_length == 2
