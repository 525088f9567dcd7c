"""Time-ordered identifiers (RFC 9562 UUID version 7).

State ids are v7 so that ids sort in creation order, which is what Prefect clients see
(`api.md` §2). Written here rather than taken from a dependency: the layout is small and
fixed, and the standard library only gains `uuid.uuid7` in Python 3.14.

Layout (most significant bit first): 48-bit Unix time in milliseconds, 4-bit version (7),
12-bit counter, 2-bit variant (0b10), 62 random bits. The 12-bit field is used as a
dedicated counter (RFC 9562 §6.2, method 1) so that ids minted in the same millisecond by
this process are still strictly increasing; the counter starts at a random value in the
lower half so an overflow (and the one-millisecond step it causes) is practically never
needed. If the clock steps backwards the last timestamp is reused, keeping ids monotonic.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid

_COUNTER_MAX = 0xFFF
_lock = threading.Lock()
_last_ms = 0
_counter = 0


def _next_timestamp_and_counter() -> tuple[int, int]:
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _counter = secrets.randbits(11)
        elif _counter < _COUNTER_MAX:
            _counter += 1
        else:
            _last_ms += 1
            _counter = 0
        return _last_ms, _counter


def uuid7() -> uuid.UUID:
    """A new version-7 UUID, strictly greater than any earlier one from this process."""
    unix_ms, counter = _next_timestamp_and_counter()
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= secrets.randbits(62)
    return uuid.UUID(int=value)
