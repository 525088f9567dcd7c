"""events.bus without a server: NOTIFY payload packing, reassembly, bounded subscriber queues."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest

from events.bus import (
    BUFFER_SIZE,
    EVENTS,
    Hub,
    Reassembler,
    StreamInterrupted,
    encode_payloads,
)


def _items(count: int, size: int) -> list[dict]:
    return [{"id": str(i), "text": "ż" * size} for i in range(count)]


@pytest.mark.parametrize(("count", "size"), [(1, 10), (200, 100), (3, 5000), (2, 100_000)])
def test_payloads_fit_notify_and_reassemble_in_order(count, size):
    items = _items(count, size)
    payloads = list(encode_payloads(items))
    assert all(len(p.encode()) < 8000 for p in payloads)
    reassembler = Reassembler()
    out = [item for payload in payloads for item in reassembler.feed(payload)]
    assert out == items
    assert reassembler.partial == {}


def test_small_items_share_a_payload():
    assert len(list(encode_payloads(_items(50, 10)))) == 1


def test_interleaved_chunk_sets_reassemble_by_key():
    first = list(encode_payloads(_items(1, 20_000)))
    second = list(encode_payloads([{"id": "b", "text": "x" * 30_000}]))
    reassembler = Reassembler()
    out = []
    for pair in itertools.zip_longest(first, second):
        for payload in pair:
            if payload is not None:
                out += reassembler.feed(payload)
    assert sorted(item["id"] for item in out) == ["0", "b"]


def test_a_full_subscriber_drops_new_items_and_others_still_get_them():
    async def scenario() -> tuple[int, int, int]:
        hub = Hub()
        slow = await hub.subscribe(EVENTS, lambda item: True)
        picky = await hub.subscribe(EVENTS, lambda item: item["n"] % 2 == 0)
        hub.dispatch(EVENTS, [{"n": n} for n in range(BUFFER_SIZE + 44)])
        first = await slow.next()
        return first["n"], slow.dropped, picky.queue.qsize()

    first, dropped, picky_size = asyncio.run(scenario())
    assert (first, dropped, picky_size) == (0, 44, (BUFFER_SIZE + 44) // 2)


def test_an_interrupted_subscription_raises_even_when_full():
    async def scenario() -> None:
        hub = Hub()
        subscription = await hub.subscribe(EVENTS, lambda item: True)
        hub.dispatch(EVENTS, [{"n": n} for n in range(BUFFER_SIZE)])
        hub.interrupt_all()
        with pytest.raises(StreamInterrupted):
            await subscription.next()

    asyncio.run(scenario())


def test_payload_is_json_array_for_whole_items():
    payload = next(encode_payloads([{"a": 1}]))
    assert json.loads(payload) == [{"a": 1}]
