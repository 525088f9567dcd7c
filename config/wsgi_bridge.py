"""HTTP under the ASGI server: Django's WSGI application in a thread pool.

Why not Django's own `ASGIHandler`: it runs every (synchronous) view through
`sync_to_async(thread_sensitive=True)`, i.e. on one thread per process, so a worker serves one
request at a time while it waits on the database (bench/README.md has the numbers). Here each
request runs on a pool thread, as it would under a threaded WSGI server, using a2wsgi's
environ/response translation.

A request whose body is in memory (every one but an oversized body) runs Django on a pool
thread from start to end and hands back status, headers and the whole content, which the
event loop then sends: one hop between threads per request. a2wsgi's responder instead waits
on the loop from the pool thread for every message (start, each chunk, the end), three hops
for an ordinary response, which cost more CPU than reading a run. Streaming responses (static
files) are sent chunk by chunk from the pool thread, as a2wsgi does.

Slow clients: the request body is read on the event loop, *before* a thread is taken, so a
client that trickles its body holds no thread and no database connection (gunicorn's ASGI
worker bounds each wait by `timeout`). Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are not
buffered: they are streamed to Django, which refuses them as it does under WSGI. A chunked
body (no Content-Length) is measured here, so Django reads it instead of seeing none.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import io
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

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


Buffered = tuple[int, list[tuple[bytes, bytes]], bytes]


def _wire_headers(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.strip().encode("latin1").lower(), value.strip().encode("latin1"))
            for name, value in headers]  # fmt: skip


class WSGIBridge:
    """ASGI HTTP → Django's WSGI handler on a pool of `threads` threads."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**31)
        self.handler = WSGIHandler()
        # a2wsgi's responder serves oversized bodies; its pool is the one every request uses.
        self.app = WSGIMiddleware(self.handler, workers=threads)  # type: ignore[arg-type]

    def _respond(
        self, environ: Any, loop: asyncio.AbstractEventLoop, send: Send
    ) -> Buffered | None:
        """Run Django on this pool thread. The whole response when it is not streaming (the
        loop sends it); else None, once this thread has sent every chunk through the loop."""
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [int(status.split(" ", 1)[0]), _wire_headers(headers)]
            return None  # Django never writes through the WSGI write() callable

        response = self.handler(environ, start_response)
        try:
            if not getattr(response, "streaming", False):
                content = b"".join(response)
                if environ["REQUEST_METHOD"] == "HEAD":
                    content = b""  # the headers (Content-Length included) describe a GET
                return started[0], started[1], content
            status, headers = started

            def relay(message: Message) -> None:
                asyncio.run_coroutine_threadsafe(send(message), loop).result()  # type: ignore[arg-type]

            relay({"type": "http.response.start", "status": status, "headers": headers})
            for chunk in response:
                relay({"type": "http.response.body", "body": chunk, "more_body": True})
            relay({"type": "http.response.body", "body": b""})
            return None
        finally:
            response.close()  # request_finished: Django's connection upkeep, on this thread

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more, gone = await _buffer_body(scope, receive, self.limit)
        if gone:
            return
        if _declared_length(scope) is None:
            # Over the limit, the length read so far is already enough for Django's 413.
            length = (b"content-length", str(len(body)).encode())
            scope = {**scope, "headers": [*scope.get("headers", ()), length]}
        if not more:
            environ = build_environ(scope, io.BytesIO(body))  # type: ignore[arg-type]
            loop = asyncio.get_running_loop()
            context = contextvars.copy_context()
            respond = functools.partial(context.run, self._respond, environ, loop, send)
            buffered = await loop.run_in_executor(self.app.executor, respond)
            if buffered is not None:
                status, headers, content = buffered
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": content})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": more}
            return await receive()  # only an oversized body gets here

        await self.app(scope, replay, send)  # type: ignore[arg-type]

    def shutdown(self, timeout: float = 1.0) -> None:
        """Close every pool thread's database connection (Django's are per thread, kept for
        CONN_MAX_AGE), then stop the pool. Each thread runs one closing task: they meet at a
        barrier first, so no thread takes two. A thread still busy with a request past
        `timeout` keeps its connection until the process exits."""
        barrier = threading.Barrier(self.threads, timeout=timeout)

        def close_own_connections() -> None:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            finally:
                connections.close_all()

        closing = [self.app.executor.submit(close_own_connections) for _ in range(self.threads)]
        concurrent.futures.wait(closing, timeout=timeout + 0.5)
        self.app.executor.shutdown(wait=False, cancel_futures=True)
