"""The ASGI lifespan shutdown is bounded: a listener that cannot close (its database went
away) does not keep the worker from exiting."""

from __future__ import annotations

import asyncio
import importlib
import time
from types import ModuleType

import pytest

from events.sockets import gunicorn_adapter


class StuckListener:
    stopped = False

    async def stop(self) -> None:
        await asyncio.sleep(3600)
        self.stopped = True


@pytest.fixture
def asgi(monkeypatch) -> ModuleType:
    """config.asgi, imported without leaving gunicorn adapted for the other tests."""
    was_installed = gunicorn_adapter.installed()
    module = importlib.import_module("config.asgi")
    if not was_installed:
        gunicorn_adapter.uninstall()
    monkeypatch.setattr(module.socket_db, "shutdown", lambda: None)
    return module


def test_shutdown_gives_up_on_a_listener_that_cannot_stop(asgi, monkeypatch, caplog):
    monkeypatch.setattr(asgi, "LISTENER_STOP", 0.2)
    app = asgi.Application()
    app.listener = StuckListener()  # type: ignore[assignment]
    started = time.monotonic()

    asyncio.run(app.shutdown())

    assert time.monotonic() - started < 2
    assert not app.listener.stopped
    assert "did not stop within" in caplog.text
