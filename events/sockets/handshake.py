"""The handshake shared by every stream socket (events.md §3.1, auth.md §3).

* `prefect` subprotocol offered: accept selecting it, then the first message must be
  `{"type": "auth", "token": ...}` (required even with auth off, when the token is ignored);
  answer `{"type": "auth_success"}`.
* Not offered: with auth off, "legacy mode" (accepted, no subprotocol, no auth message); with
  auth on, the upgrade is refused (HTTP 403).

Authentication is on when the API's is (`access.config`). The token is the auth string
(Django's `PREFECT_SERVER_API_AUTH_STRING` setting if defined, else the environment variable of
that name), compared verbatim in constant time, or one of our API keys, whose user needs the
route's level (`access.routes`: `events/in` writes, the others read). The connection then acts
as that principal (`access.actors`): task runs recorded from its events name it.
"""

from __future__ import annotations

import json

from access.actors import actor_set
from access.config import auth_required
from access.credentials import Principal, from_token
from access.routes import socket_level

from .connection import WebSocket
from .db import run_db

SUBPROTOCOL = "prefect"
POLICY_VIOLATION = 1008


def _token(text: str | bytes) -> tuple[object, str | None]:
    """The first message's token and, when the message is not an auth message, the close
    reason."""
    try:
        message = json.loads(text)
    except ValueError:
        return None, "Expected 'auth' message"
    if not isinstance(message, dict) or message.get("type") != "auth":
        return None, "Expected 'auth' message"
    return message.get("token"), None


async def _authenticate(token: object, path: str) -> tuple[Principal | None, str | None]:
    """The principal a token proves for the socket at `path`, or the close reason."""
    if not token:
        return None, "Auth required but no token provided"
    if not isinstance(token, str):
        return None, "Invalid token"
    principal = await run_db(from_token, token)
    if principal is None:
        return None, "Invalid token"
    if principal.level < socket_level(path.removeprefix("/api/")):
        return None, "Insufficient permissions"
    return principal, None


async def accept_prefect_socket(socket: WebSocket, *, ordered_pings: bool = False) -> bool:
    """Run the handshake; True when the socket is ready for the route's own messages.

    `ordered_pings`: see `WebSocket.accept`. Raises `Disconnected` if the client leaves
    during it, `ServerStopping` if the server stops."""
    await socket.connect()
    required = auth_required()
    if SUBPROTOCOL not in socket.offered_subprotocols():
        if required:
            await socket.close(POLICY_VIOLATION)  # before accept: HTTP 403
            return False
        await socket.accept(ordered_pings=ordered_pings)
        return True
    await socket.accept(SUBPROTOCOL, ordered_pings=ordered_pings)
    token, failure = _token(await socket.receive())
    principal = None
    if failure is None and required:
        principal, failure = await _authenticate(token, socket.path)
    if failure is not None:
        await socket.close(POLICY_VIOLATION, failure)
        return False
    actor_set(principal.actor if principal is not None else None)
    await socket.send_json({"type": "auth_success"})
    return True
