"""Slots under real concurrent transactions (PostgreSQL, one connection per thread): a full
limit grants exactly its slots, releases free exactly theirs, and a lapsed lease is freed
once even when reapers and its holder race."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from background.sweeps.lease_reaper import leases_reap
from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2

from .helpers import V2

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` for each i on its own thread, all released at once."""
    start = threading.Barrier(count)

    def run(index: int) -> object:
        try:
            start.wait(30)
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def acquire(names: list[str]) -> tuple[int, str | None]:
    body = {"names": names, "slots": 1, "lease_duration": 60}
    holder = {"type": "task_run", "id": str(uuid.uuid4())}
    response = APIClient().post(
        f"{V2}/increment-with-lease", {**body, "holder": holder}, format="json"
    )
    lease_id = response.json()["lease_id"] if response.status_code == 200 else None
    return response.status_code, lease_id


def test_fifty_concurrent_acquisitions_on_a_limit_of_five_grant_exactly_five():
    ConcurrencyLimitV2.objects.create(name="db", limit=5)

    answers = in_threads(50, lambda _: acquire(["db"]))

    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 5 + [423] * 45
    limit = ConcurrencyLimitV2.objects.get(name="db")
    assert (limit.active_slots, limit.denied_slots) == (5, 45)
    assert ConcurrencyLease.objects.count() == 5


def test_acquisitions_naming_limits_in_opposite_orders_neither_deadlock_nor_overgrant():
    ConcurrencyLimitV2.objects.create(name="a", limit=3)
    ConcurrencyLimitV2.objects.create(name="b", limit=3)

    answers = in_threads(20, lambda i: acquire(["a", "b"] if i % 2 else ["b", "a"]))

    assert sorted(status for status, _ in answers) == [200] * 3 + [423] * 17
    assert set(ConcurrencyLimitV2.objects.values_list("active_slots", flat=True)) == {3}


def test_concurrent_releases_free_exactly_their_slots_even_when_repeated():
    ConcurrencyLimitV2.objects.create(name="db", limit=10)
    leases = [lease for _, lease in in_threads(8, lambda _: acquire(["db"]))]

    def release(index: int) -> int:
        body = {"lease_id": leases[index % 6]}  # leases 0 and 1 released twice, 6 and 7 kept
        return APIClient().post(f"{V2}/decrement-with-lease", body, format="json").status_code

    assert in_threads(8, release) == [204] * 8
    assert ConcurrencyLimitV2.objects.get(name="db").active_slots == 2
    assert ConcurrencyLease.objects.count() == 2


def test_a_lapsed_lease_is_freed_once_by_racing_reapers_and_its_holder():
    ConcurrencyLimitV2.objects.create(name="db", limit=3)
    _, lapsed = acquire(["db"])
    _, live = acquire(["db"])
    ConcurrencyLease.objects.filter(pk=lapsed).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    now = timezone.now()

    def race(index: int) -> object:
        if index % 3 == 0:
            body = {"lease_id": lapsed}
            return APIClient().post(f"{V2}/decrement-with-lease", body, format="json")
        return leases_reap(now)

    in_threads(9, race)

    assert ConcurrencyLimitV2.objects.get(name="db").active_slots == 1
    assert list(ConcurrencyLease.objects.values_list("pk", flat=True)) == [uuid.UUID(live)]
