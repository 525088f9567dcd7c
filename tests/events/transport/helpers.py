from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from websockets.sync.client import ClientConnection, connect

from .live import Live


def event(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "occurred": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "event": name,
        "resource": {"prefect.resource.id": f"test.{uuid.uuid4().hex[:8]}"},
        "related": [],
        "payload": {},
        "id": str(uuid.uuid4()),
        "follows": None,
        **extra,
    }


def open_socket(live: Live, path: str, *, token: Any = None, prefect: bool = True):
    """A connected, authenticated socket (the client's handshake)."""
    ws = connect(
        f"{live.ws}{path}",
        subprotocols=["prefect"] if prefect else None,  # type: ignore[list-item]
        open_timeout=10,
        max_size=4 * 2**20,
    )
    if prefect:
        ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(ws.recv(timeout=10)) == {"type": "auth_success"}
    return ws


def checkpoint(ws: ClientConnection) -> None:
    """What the client does: a ping whose pong proves every earlier frame was read."""
    assert ws.ping().wait(10)


def live_filter(**criteria: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "occurred": {
            "since": (now - timedelta(minutes=1)).isoformat(),
            "until": (now + timedelta(days=365)).isoformat(),
        },
        **criteria,
    }


def stored(live: Live, prefix: str) -> list[dict[str, Any]]:
    """The stored events whose name starts with `prefix` (REST read)."""
    now = datetime.now(UTC)
    body = {
        "filter": {
            "event": {"prefix": [prefix]},
            "occurred": {
                "since": (now - timedelta(hours=1)).isoformat(),
                "until": (now + timedelta(hours=1)).isoformat(),
            },
            "order": "ASC",
        },
        "limit": 50,
    }
    status, page = live.post("/events/filter", body)
    assert status == 200, page
    return list(page["events"])


def receive_json(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return dict(json.loads(ws.recv(timeout=timeout)))


def unique(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


def eventually(check: Any, timeout: float = 10.0) -> Any:
    """Poll `check()` until it returns something truthy (the socket does not acknowledge)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)
