"""Who is acting: set by the API middleware, the admin, the event sockets and commands, and read
by the one state-row insert and the deletion log (no query, no argument threaded through).

Values: `apikey:<prefix>:<username>`, `auth-string` (Prefect's shared password),
`admin:<username>`, `command:<name>`, `service:<name>` (a background service); None when nobody
is known (an API with authentication off).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ACTOR_MAX_LENGTH = 200
_actor: ContextVar[str | None] = ContextVar("access_actor", default=None)


def current_actor() -> str | None:
    return _actor.get()


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Everything written inside the block is recorded as done by `actor`."""
    token = _actor.set(actor[:ACTOR_MAX_LENGTH] if actor else None)
    try:
        yield
    finally:
        _actor.reset(token)


def actor_set(actor: str | None) -> None:
    """Set the actor for the rest of the current task (a websocket connection's own task)."""
    _actor.set(actor[:ACTOR_MAX_LENGTH] if actor else None)


def api_key_actor(prefix: str, username: str) -> str:
    return f"apikey:{prefix}:{username}"


def admin_actor(username: str) -> str:
    return f"admin:{username}"


def command_actor(name: str) -> str:
    return f"command:{name}"


def service_actor(name: str) -> str:
    return f"service:{name}"


AUTH_STRING_ACTOR = "auth-string"
