"""A worker's start-up objects are frozen out of the collector's full passes
(`config/startup_objects.py`), by the ASGI server's start-up."""

from __future__ import annotations

import gc
import importlib

import pytest
from django.urls import get_resolver

from events.sockets import gunicorn_adapter


@pytest.fixture(autouse=True)
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


class Listener:
    def __init__(self, *args: object) -> None:
        pass

    def start(self) -> None:
        pass


def test_the_asgi_start_up_freezes_what_it_loaded(monkeypatch):
    was_installed = gunicorn_adapter.installed()
    asgi = importlib.import_module("config.asgi")
    if not was_installed:
        gunicorn_adapter.uninstall()
    monkeypatch.setattr(asgi, "Listener", Listener)  # no database listener for this
    resolver = get_resolver()
    assert gc.is_tracked(resolver) and gc.get_freeze_count() == 0

    asgi.Application().startup()

    # What a full collection walks no longer includes the URLconf and the rest of start-up.
    assert gc.get_freeze_count() > 10_000
    assert not any(obj is resolver for obj in gc.get_objects())
    # Garbage made afterwards is still collected.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
