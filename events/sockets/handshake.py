"""The handshake shared by every stream socket (events.md §3.1, auth.md §3).

* `prefect` subprotocol offered: accept selecting it, then the first message must be
  `{"type": "auth", "token": ...}` (required even with auth off, when the token is ignored);
  answer `{"type": "auth_success"}`.
* Not offered: with auth off, "legacy mode" (accepted, no subprotocol, no auth message); with
  auth on, the upgrade is refused (HTTP 403).

The auth string is Django's `PREFECT_SERVER_API_AUTH_STRING` setting if defined, else the
environment variable of that name; empty means auth off. Tokens are compared verbatim, in
constant time.
"""

from __future__ import annotations

import hmac
import json
import os

from django.conf import settings

from .connection import WebSocket

SUBPROTOCOL = "prefect"
POLICY_VIOLATION = 1008


def auth_string() -> str | None:
    value = getattr(settings, "PREFECT_SERVER_API_AUTH_STRING", None)
    if value is None:
        value = os.environ.get("PREFECT_SERVER_API_AUTH_STRING")
    return value or None


def _auth_failure(text: str | bytes, expected: str | None) -> str | None:
    """The close reason for a first message, or None when it authenticates."""
    try:
        message = json.loads(text)
    except ValueError:
        return "Expected 'auth' message"
    if not isinstance(message, dict) or message.get("type") != "auth":
        return "Expected 'auth' message"
    if expected is None:
        return None
    token = message.get("token")
    if not token:
        return "Auth required but no token provided"
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), expected.encode()):
        return "Invalid token"
    return None


async def accept_prefect_socket(socket: WebSocket, *, ordered_pings: bool = False) -> bool:
    """Run the handshake; True when the socket is ready for the route's own messages.

    `ordered_pings`: see `WebSocket.accept`. Raises `Disconnected` if the client leaves
    during it, `ServerStopping` if the server stops."""
    await socket.connect()
    expected = auth_string()
    if SUBPROTOCOL not in socket.offered_subprotocols():
        if expected is not None:
            await socket.close(POLICY_VIOLATION)  # before accept: HTTP 403
            return False
        await socket.accept(ordered_pings=ordered_pings)
        return True
    await socket.accept(SUBPROTOCOL, ordered_pings=ordered_pings)
    failure = _auth_failure(await socket.receive(), expected)
    if failure is not None:
        await socket.close(POLICY_VIOLATION, failure)
        return False
    await socket.send_json({"type": "auth_success"})
    return True
