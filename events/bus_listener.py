"""The one PostgreSQL LISTEN connection of an ASGI worker process (see `events.bus`).

Started by the ASGI lifespan (`config.asgi`) when the database is PostgreSQL. It connects with
psycopg's async connection, LISTENs on the bus channels and hands every notification to the
process's hub. A lost connection (server restart, failover, `pg_terminate_backend`) interrupts
every live subscription, so their clients reconnect and backfill, and the listener reconnects
with a capped backoff. A silent network loss is found by a `SELECT 1` after `IDLE_CHECK`
seconds without notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from django.db import connections

from events.bus import CHANNELS, Hub, Reassembler
from flowruns.outages import first_line

logger = logging.getLogger(__name__)

APPLICATION_NAME = "prefect-events-listener"
IDLE_CHECK = 30.0
MAX_BACKOFF = 10.0


def connection_params(alias: str = "default") -> dict[str, Any]:
    """Django's own connection parameters for the database, minus the sync-only ones."""
    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    params["application_name"] = APPLICATION_NAME
    return params


class Listener:
    def __init__(self, hub: Hub, params: dict[str, Any]) -> None:
        self.hub = hub
        self.params = params
        self.task: asyncio.Task[None] | None = None
        self.connects = 0

    def start(self) -> None:
        self.hub.listening = True
        self.task = asyncio.get_running_loop().create_task(self.run(), name="events-listener")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.hub.interrupt_all()

    async def run(self) -> None:
        backoff = 0.5
        while True:
            try:
                await self.listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # psycopg.OperationalError, mostly
                logger.warning("events listener lost its connection: %s", first_line(error))
            finally:
                if self.hub.ready.is_set():
                    self.hub.ready.clear()
                    self.hub.interrupt_all()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def listen(self) -> None:
        conn = await psycopg.AsyncConnection.connect(**self.params, autocommit=True)
        async with conn:
            for channel in CHANNELS:
                await conn.execute(f"LISTEN {channel}")
            reassemblers = {channel: Reassembler() for channel in CHANNELS}
            self.connects += 1
            self.hub.ready.set()
            logger.info("events listener connected (LISTEN %s)", ", ".join(CHANNELS))
            while True:
                received = False
                async for notify in conn.notifies(timeout=IDLE_CHECK):
                    received = True
                    self.handle(reassemblers[notify.channel], notify.channel, notify.payload)
                if not received:
                    await conn.execute("SELECT 1")

    def handle(self, reassembler: Reassembler, channel: str, payload: str) -> None:
        try:
            items = reassembler.feed(payload)
        except (ValueError, KeyError):
            logger.warning("ignored a malformed %s notification", channel)
            return
        if items:
            self.hub.dispatch(channel, items)
