"""Lazy slot decay (rate limits) and the Retry-After of a refused acquisition.

A limit's `active_slots` and `denied_slots` are counts as of its `updated`; a limit with
`slot_decay_per_second > 0` gives `floor(rate x seconds since updated)` of them back. Denied
slots of a limit without decay fade at one per average occupancy. Callers write the decayed
values plus their change and bump `updated`, so nothing decays twice.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from concurrency.models import ConcurrencyLimitV2
from config.prefect_settings import parse_seconds, setting_read

TAG_PREFIX = "tag:"
TAG_MAX_WAIT = "PREFECT_SERVER_TASKS_TAG_CONCURRENCY_SLOT_WAIT_SECONDS"
MAX_WAIT = "PREFECT_SERVER_CONCURRENCY_MAXIMUM_CONCURRENCY_SLOT_WAIT_SECONDS"


@dataclass(frozen=True)
class Decayed:
    active: int
    denied: int


def max_wait(limit: ConcurrencyLimitV2) -> float:
    """The longest a refused caller is told to wait on a limit without decay (seconds)."""
    if limit.name.startswith(TAG_PREFIX):
        return setting_read(TAG_MAX_WAIT, timedelta(seconds=10), parse_seconds).total_seconds()
    return setting_read(MAX_WAIT, timedelta(seconds=30), parse_seconds).total_seconds()


def slots_decayed(limit: ConcurrencyLimitV2, now: datetime) -> Decayed:
    elapsed = max(0.0, (now - limit.updated).total_seconds())
    decay = limit.slot_decay_per_second
    if decay > 0:
        rate = decay
    else:
        rate = 1 / min(max(limit.avg_slot_occupancy_seconds, 0.1), max_wait(limit))
    return Decayed(
        active=max(0, limit.active_slots - math.floor(decay * elapsed)),
        denied=max(0, limit.denied_slots - math.floor(rate * elapsed)),
    )


def _blocking_weight(limit: ConcurrencyLimitV2, slots: int, denied: int) -> float:
    base = slots + denied
    return base / limit.limit if limit.slot_decay_per_second == 0 else float(base)


def retry_after_seconds(limits: list[ConcurrencyLimitV2], slots: int, now: datetime) -> float:
    """How long a refused caller should wait: the expected time for the most contended limit
    to free `slots`, jittered (exponential around the mean, clamped to [0.75, 1.3] of it) so
    that waiting clients do not retry in step. `limits` are active, each with limit ≥ slots."""
    if not limits:
        return 0.0
    weights = [
        (_blocking_weight(lim, slots, slots_decayed(lim, now).denied), lim) for lim in limits
    ]
    weight, blocking = max(weights, key=lambda pair: pair[0])
    if blocking.slot_decay_per_second > 0:
        mean = weight / blocking.slot_decay_per_second
    else:
        wait = max_wait(blocking)
        mean = min(min(blocking.avg_slot_occupancy_seconds, wait) * weight, wait)
    if mean <= 0:
        return 0.0
    drawn = random.expovariate(1 / mean)  # jitter, not security
    return min(max(drawn, 0.75 * mean), 1.3 * mean)


def occupancy_averaged(limit: ConcurrencyLimitV2, occupancy: float, slots: int) -> float:
    """The limit's average slot occupancy after one release that held `slots` for
    `occupancy` seconds: a moving average over about 2 x limit releases."""
    per_slot = max(occupancy / slots, 0.1)
    samples = max(limit.limit, 1) * 2
    avg = limit.avg_slot_occupancy_seconds
    return avg + per_slot / samples - avg / samples
