"""`WS /api/events/in` (events.md §3). Placeholder until the ingestion service lands."""

from __future__ import annotations

from .connection import WebSocket
from .handshake import accept_prefect_socket


async def events_in(socket: WebSocket) -> None:
    if not await accept_prefect_socket(socket):
        return
    while True:
        await socket.receive()
