"""`config.asgi:application` with a slow `/api/events/in` ingest, for the live tests that show
when a pong is sent and what a graceful stop stores (`Live(app=SLOW_APP, ...)`).

TEST_INGEST_DELAY: seconds each batch waits before it is stored (default 0.3).
TEST_GUNICORN_ADAPTER=off: gunicorn's own websocket behaviour (pongs at once, no early close),
to show what the adapter changes.
"""

from __future__ import annotations

import os
import time

from config.asgi import application
from events.sockets import events_in, gunicorn_adapter

__all__ = ["application"]

DELAY = float(os.environ.get("TEST_INGEST_DELAY", "0.3"))
_ingest_frames = events_in.ingest_frames


def slow_ingest_frames(frames: list[str | bytes]) -> int:
    time.sleep(DELAY)
    return _ingest_frames(frames)


events_in.ingest_frames = slow_ingest_frames
if os.environ.get("TEST_GUNICORN_ADAPTER") == "off":
    gunicorn_adapter.uninstall()
