"""`OPTIONS` on any route, chunked request bodies, and content types that are not JSON."""

from __future__ import annotations

import asyncio

import pytest
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


class RecordingApp:
    def __init__(self) -> None:
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""

    async def __call__(self, scope, receive, send) -> None:
        self.headers = list(scope["headers"])
        message = await receive()
        self.body = message["body"]


def bridge_call(chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> RecordingApp:
    bridge = WSGIBridge(threads=1)
    bridge.app.executor.shutdown()
    app = RecordingApp()
    bridge.app = app
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive():
        return messages.pop(0)

    async def send(message):
        pass

    scope = {"type": "http", "method": "POST", "path": "/api/flows/", "headers": headers}
    asyncio.run(bridge(scope, receive, send))
    return app


def test_the_asgi_bridge_gives_a_chunked_body_its_length():
    app = bridge_call([b'{"name":', b' "f"}'], [(b"transfer-encoding", b"chunked")])
    assert (b"content-length", b"13") in app.headers
    assert app.body == b'{"name": "f"}'


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=8)
def test_an_oversized_chunked_body_declares_enough_for_the_413():
    app = bridge_call([b"0123456789", b"more", b"end"], [(b"transfer-encoding", b"chunked")])
    (length,) = [int(v) for k, v in app.headers if k == b"content-length"]
    assert length > 8


def test_an_empty_chunked_body_is_declared_empty():
    app = bridge_call([b""], [(b"transfer-encoding", b"chunked")])
    assert (b"content-length", b"0") in app.headers


def test_a_declared_length_is_left_alone():
    app = bridge_call([b"{}"], [(b"content-length", b"2")])
    assert [h for h in app.headers if h[0] == b"content-length"] == [(b"content-length", b"2")]
