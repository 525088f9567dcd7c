"""Sending raw request bodies, and what a refused request must not leave behind."""

from __future__ import annotations

import json
from typing import Any

from events.models import Event
from flowruns.models import Flow, FlowRun, FlowRunState, TaskRun
from logs_app.models import Log

STORED = (Flow, FlowRun, FlowRunState, TaskRun, Log, Event)


def stored_rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED}


def send(api: Any, method: str, path: str, raw: str | bytes, **extra: Any) -> Any:
    """`raw` exactly as given (a `str` may hold lone surrogates: they are sent as JSON escapes
    only when the caller writes them so)."""
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    extra.setdefault("content_type", "application/json")
    return api.generic(method, path, data, **extra)


def detail(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    assert body["exception_message"] == "Invalid request received.", body
    return body["exception_detail"]


def dumps(value: Any) -> str:
    return json.dumps(value)
