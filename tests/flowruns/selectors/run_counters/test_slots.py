"""How a bucket is split between hourly rows and 10-minute slots: every slot wholly inside
a bucket is read once, from an hour when its whole hour is inside and usable, never a slot
that must come from rows."""

from __future__ import annotations

import random

import pytest

from flowruns.counters.layout import HOUR_MICROS, SLOT_MICROS, SLOTS_PER_HOUR
from flowruns.selectors.run_counters.slots import level_spans

BASE = 816_666 * HOUR_MICROS  # an hour edge in 2063


def slots_read(spans: list[list[tuple[int, int]]]) -> list[int]:
    slots = [s for lo, hi in spans[0] for s in range(lo, hi)]
    slots += [
        s
        for lo, hi in spans[1]
        for h in range(lo, hi)
        for s in range(h * SLOTS_PER_HOUR, (h + 1) * SLOTS_PER_HOUR)
    ]
    return sorted(slots)


def test_aligned_day_buckets_read_hours_only():
    spans = level_spans(
        start_us=BASE, interval_us=24 * HOUR_MICROS, count=2, skip=set(), now_us=BASE
    )

    assert spans[0] == []
    first_hour = BASE // HOUR_MICROS
    assert spans[1] == [(first_hour, first_hour + 24), (first_hour + 24, first_hour + 48)]


def test_an_hour_holding_now_or_a_skipped_slot_is_read_from_slots():
    first_hour = BASE // HOUR_MICROS
    now_us = BASE + 3 * HOUR_MICROS + 2 * SLOT_MICROS  # on a slot edge inside hour 3
    skip = {BASE // SLOT_MICROS + 5 * SLOTS_PER_HOUR + 1}  # a slot of hour 5

    spans = level_spans(
        start_us=BASE, interval_us=8 * HOUR_MICROS, count=1, skip=skip, now_us=now_us
    )

    assert spans[1] == [
        (first_hour, first_hour + 3),
        (first_hour + 4, first_hour + 5),
        (first_hour + 6, first_hour + 8),
    ]
    assert slots_read(spans) == sorted(
        set(range(BASE // SLOT_MICROS, BASE // SLOT_MICROS + 8 * SLOTS_PER_HOUR)) - skip
    )


@pytest.mark.parametrize("seed", range(40))
def test_every_inside_slot_is_read_once_and_skipped_slots_never(seed):
    rng = random.Random(seed)
    start_us = BASE + rng.randrange(-10 * HOUR_MICROS, 10 * HOUR_MICROS)
    interval_us = rng.choice([rng.randrange(1, 4 * HOUR_MICROS), rng.randrange(1, 3) * HOUR_MICROS])
    count = rng.randrange(1, 30)
    end_us = start_us + count * interval_us
    now_us = rng.randrange(start_us - HOUR_MICROS, end_us + HOUR_MICROS)
    lo_slot, hi_slot = start_us // SLOT_MICROS, end_us // SLOT_MICROS + 1
    skip = {rng.randrange(lo_slot, hi_slot) for _ in range(rng.randrange(0, 4))}

    spans = level_spans(
        start_us=start_us, interval_us=interval_us, count=count, skip=skip, now_us=now_us
    )

    inside = set()
    for k in range(count):
        a = start_us + k * interval_us
        inside |= set(range(-(-a // SLOT_MICROS), (a + interval_us) // SLOT_MICROS))
    read = slots_read(spans)
    assert len(read) == len(set(read))
    assert set(read) == inside - skip
    now_hour = now_us // HOUR_MICROS if now_us % HOUR_MICROS else None
    assert not any(lo <= now_hour < hi for lo, hi in spans[1]) if now_hour else True
