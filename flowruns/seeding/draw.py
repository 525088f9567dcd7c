"""The seeder's randomness: one seeded RNG and everything drawn from it (numbers, ids, run
names), so that `--seed` repeats a load exactly."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from flowruns.naming import run_names_from

T = TypeVar("T")

# Version and variant bits of RFC 9562 UUIDs (v4 random, v7 time-ordered).
UUID4_CLEAR = ~(0xF << 76 | 0x3 << 62)
UUID4_SET = 0x4 << 76 | 0x2 << 62
UUID7_CLEAR = ~(0xF << 76 | 0x3 << 62) & ((1 << 80) - 1)
UUID7_SET = 0x7 << 76 | 0x2 << 62


def _canonical(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


class Draw:
    """Ids are canonical strings: PostgreSQL takes them as they are, and JSON needs them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rand = rng.random
        self._bits = rng.getrandbits
        self.run_name = run_names_from(rng)

    def between(self, low: int, high: int) -> int:
        return low + int(self.rand() * (high - low))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rand() * len(items))]

    def uuid4(self) -> str:
        return _canonical(f"{self._bits(128) & UUID4_CLEAR | UUID4_SET:032x}")

    def uuid7(self, us: int) -> str:
        """Time-ordered, like the ids the server gives states and logs."""
        return _canonical(f"{(us // 1000) << 80 | self._bits(80) & UUID7_CLEAR | UUID7_SET:032x}")
