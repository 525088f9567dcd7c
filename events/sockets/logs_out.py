"""`WS /api/logs/out` (events.md §8.5, last paragraph): the handshake, a `filter` message with
a LogFilter, then `{"type": "log", "log": <Log>}` for each matching log stored after the
subscription started. No backfill."""

from __future__ import annotations

from events.bus import LOGS, hub
from flowruns.filters.schemas import LogFilter

from .connection import WebSocket
from .handshake import accept_prefect_socket
from .log_matching import log_matcher
from .streaming import pump, read_filter


async def logs_out(socket: WebSocket) -> None:
    if not await accept_prefect_socket(socket):
        return
    log_filter, _ = await read_filter(socket, lambda raw: LogFilter.model_validate(raw or {}))
    subscription = await hub.subscribe(LOGS, log_matcher(log_filter))
    try:

        async def send(log: dict) -> None:
            await socket.send_json({"type": "log", "log": log})

        await pump(socket, subscription, send)
    finally:
        hub.unsubscribe(subscription)
