"""`WS /api/events/out` (events.md §8.5). Placeholder until the filter and backfill land."""

from __future__ import annotations

from .connection import WebSocket
from .handshake import accept_prefect_socket


async def events_out(socket: WebSocket) -> None:
    if not await accept_prefect_socket(socket):
        return
    while True:
        await socket.receive()
