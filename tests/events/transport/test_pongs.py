"""A pong on `/api/events/in` means stored (events.md §3.4): when the client's checkpoint
ping is answered, every event sent before it is in the database, so a server killed right
after the pong has lost nothing the client stopped resending.

The server here stores each batch 0.3 s late (`slow_app`), so frames pile up unstored in its
queues; the same test against gunicorn's own pong (adapter off) shows the pong outrunning
the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from .conftest import serve
from .helpers import event, open_socket, unique
from .live import SLOW_APP, Live

SENT = 300  # more than gunicorn's 32 + the handler's 100 queued frames


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from serve(tmp_path_factory, app=SLOW_APP)


@pytest.fixture(scope="module")
def slow_without_adapter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from serve(tmp_path_factory, app=SLOW_APP, TEST_GUNICORN_ADAPTER="off")


def stored_at_pong(live: Live, prefix: str, count: int) -> int:
    """Send `count` events and a ping; the number stored when the pong arrives."""
    with open_socket(live, "/events/in") as ws:
        for i in range(count):
            ws.send(json.dumps(event(f"{prefix}.{i}")))
        assert ws.ping().wait(60), "no pong within 60 s"
        return live.count_events(prefix)


def test_a_pong_comes_only_once_every_event_before_the_ping_is_stored(slow):
    prefix = unique("test.pong")
    assert stored_at_pong(slow, prefix, SENT) == SENT


def test_each_pong_waits_for_the_events_before_its_own_ping(slow):
    prefix = unique("test.pongs")
    with open_socket(slow, "/events/in") as ws:
        pongs = []
        for round_ in range(3):
            for i in range(120):
                ws.send(json.dumps(event(f"{prefix}.{round_}.{i}")))
            pongs.append(ws.ping())
        for round_, pong in enumerate(pongs, start=1):
            assert pong.wait(60), f"no pong {round_} within 60 s"
            assert slow.count_events(prefix) >= 120 * round_


def test_gunicorns_own_pong_comes_before_the_events_are_stored(slow_without_adapter):
    """Why the adapter exists: without it the same checkpoint confirms unstored events."""
    prefix = unique("test.early")
    assert stored_at_pong(slow_without_adapter, prefix, SENT) < SENT
