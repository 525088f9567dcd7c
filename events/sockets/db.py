"""Synchronous Django work for the sockets, on threads of their own, never on the event loop.

Each call is wrapped like a request (`close_old_connections` before and after), so a
thread's persistent connection is health-checked and recycled by CONN_MAX_AGE as in a view.
The pool is separate from the HTTP bridge's, so socket traffic cannot starve HTTP requests;
its size (`EVENTS_SOCKET_THREADS`) bounds the database connections the sockets use per process.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections

P = ParamSpec("P")
T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        size = int(settings.EVENTS_SOCKET_THREADS)
        _executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="events-db")
    return _executor


def _as_request(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        close_old_connections()


async def run_db(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    loop = asyncio.get_running_loop()
    call = functools.partial(_as_request, func, *args, **kwargs)
    # In the caller's context: the connection's actor (`access.actors`) goes along.
    return await loop.run_in_executor(executor(), contextvars.copy_context().run, call)


def shutdown(timeout: float = 1.0) -> None:
    """Close every socket thread's database connection (kept for CONN_MAX_AGE), then stop
    the pool. Each thread runs one closing task: they meet at a barrier first, so no thread
    takes two. A thread still busy past `timeout` keeps its connection until the exit."""
    global _executor
    if _executor is None:
        return
    pool, _executor = _executor, None
    size = pool._max_workers
    barrier = threading.Barrier(size, timeout=timeout)

    def close_own_connections() -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        finally:
            connections.close_all()

    closing = [pool.submit(close_own_connections) for _ in range(size)]
    futures.wait(closing, timeout=timeout * 2)
    pool.shutdown(wait=False, cancel_futures=True)
