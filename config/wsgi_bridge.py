"""HTTP under the ASGI server: Django's WSGI application in a thread pool.

Why not Django's own `ASGIHandler`: it runs every (synchronous) view through
`sync_to_async(thread_sensitive=True)`, i.e. on one thread per process, so a worker serves one
request at a time while it waits on the database (bench/README.md has the numbers). Here each
request runs on a pool thread, as it would under a threaded WSGI server, using a2wsgi's
environ/response translation.

Slow clients: the request body is read on the event loop, *before* a thread is taken, so a
client that trickles its body holds no thread and no database connection (gunicorn's ASGI
worker bounds each wait by `timeout`). Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are not
buffered: they are streamed to Django, which refuses them as it does under WSGI. A chunked
body (no Content-Length) is measured here, so Django reads it instead of seeing none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _buffer_body(scope: Scope, receive: Receive, limit: int) -> tuple[bytes, bool, bool]:
    """Read the body on the event loop: (bytes read, more to come, client gone)."""
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        return b"", True, False  # Django refuses it from the header alone
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", False, True
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False, False
        if size > limit:
            return b"".join(chunks), True, False


class WSGIBridge:
    """ASGI HTTP → Django's WSGI handler on a pool of `threads` threads."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**31)
        self.app = WSGIMiddleware(WSGIHandler(), workers=threads)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more, gone = await _buffer_body(scope, receive, self.limit)
        if gone:
            return
        if _declared_length(scope) is None:
            # Over the limit, the length read so far is already enough for Django's 413.
            length = (b"content-length", str(len(body)).encode())
            scope = {**scope, "headers": [*scope.get("headers", ()), length]}
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": more}
            return await receive()  # only an oversized body gets here

        await self.app(scope, replay, send)  # type: ignore[arg-type]

    def shutdown(self) -> None:
        self.app.executor.shutdown(wait=False, cancel_futures=True)
