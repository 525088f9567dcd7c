"""A short in-process memory of checked API keys, so a client's requests do not each pay the
key's two queries (bench/auth_cost.py: about +2 SQL statements per request without it).

Entries live `API_KEY_CACHE_SECONDS` (default 10; 0 turns the memory off), keyed by the
SHA-512 of the presented key (the key itself is never kept). Any change to keys, users,
groups or permissions made in this process forgets every entry at once (signals, below);
made elsewhere (another worker, another host), it takes effect within that many seconds.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from .principal import Principal

MAX_ENTRIES = 10_000
_entries: dict[str, tuple[float, Principal]] = {}
_lock = threading.Lock()


def _ttl() -> float:
    return float(getattr(settings, "API_KEY_CACHE_SECONDS", 10))


def digest(key: str) -> str:
    return hashlib.sha512(key.encode()).hexdigest()


def remembered(key_digest: str) -> Principal | None:
    entry = _entries.get(key_digest)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def remember(key_digest: str, principal: Principal) -> None:
    ttl = _ttl()
    if ttl <= 0:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key_digest] = (time.monotonic() + ttl, principal)


def forget_all(*args: Any, **kwargs: Any) -> None:
    """Signal receiver: keys, users, groups or permissions changed in this process."""
    with _lock:
        _entries.clear()
