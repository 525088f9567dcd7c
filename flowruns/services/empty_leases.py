"""Ids for the empty leases of `increment-with-lease`, recognisable without storing them.

This server has no tag or global limits, so `increment-with-lease` grants a lease over no
limits and stores nothing. Deployment-concurrency leases are stored, and renewing one that is
gone must answer 410 (its run's engine then stops the run). An empty lease's id carries its
own proof instead: a random half and a keyed hash of it (HMAC with SECRET_KEY), so the renew
route can tell "a lease this server granted over nothing" (204, as before) from "a lease that
lapsed or never existed" (410) without a table. The id is still a valid version-4 UUID.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings


def _tag(head: bytes) -> bytes:
    key = f"empty-lease:{settings.SECRET_KEY}".encode()
    return hmac.new(key, head, hashlib.sha256).digest()[:8]


def _sealed(head: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=head + _tag(head), version=4)


def empty_lease_id_new() -> uuid.UUID:
    return _sealed(uuid.uuid4().bytes[:8])


def empty_lease_id_check(lease_id: uuid.UUID) -> bool:
    """Whether this server granted `lease_id` by `empty_lease_id_new` (same SECRET_KEY)."""
    return hmac.compare_digest(_sealed(lease_id.bytes[:8]).bytes, lease_id.bytes)
