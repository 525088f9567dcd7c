"""The lease reaper frees the slots of leases whose holder stopped renewing: once, and then
renewing the lease answers 410."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from background.sweeps.lease_reaper import leases_reap
from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2

from .helpers import V2, acquire, create, post

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
GONE = {"detail": "Lease not found - it may have expired or been revoked"}


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_lapsed_lease_is_reaped_once_and_its_slots_come_back(api, clock):
    create(api, "db", 2)
    lapsing = acquire(api, ["db"], slots=2).json()["lease_id"]
    clock.move_to(START + timedelta(seconds=61))

    first = leases_reap(START + timedelta(seconds=61))
    second = leases_reap(START + timedelta(seconds=62))

    assert (first.changed, second.changed) == (1, 0)
    assert ConcurrencyLimitV2.objects.get(name="db").active_slots == 0
    renewed = post(api, f"{V2}/leases/{lapsing}/renew", {"lease_duration": 60})
    assert (renewed.status_code, renewed.json()) == (410, GONE)


def test_a_lease_renewed_in_time_is_not_reaped(api, clock):
    create(api, "db", 1)
    lease_id = acquire(api, ["db"]).json()["lease_id"]
    clock.move_to(START + timedelta(seconds=45))
    post(api, f"{V2}/leases/{lease_id}/renew", {"lease_duration": 60})

    result = leases_reap(START + timedelta(seconds=61))

    assert result.changed == 0
    assert ConcurrencyLease.objects.filter(pk=lease_id).exists()
    assert ConcurrencyLimitV2.objects.get(name="db").active_slots == 1


def test_a_lapsed_lease_not_yet_reaped_may_still_be_renewed(api, clock):
    create(api, "db", 1)
    lease_id = acquire(api, ["db"]).json()["lease_id"]
    clock.move_to(START + timedelta(seconds=90))

    assert post(api, f"{V2}/leases/{lease_id}/renew", {}).status_code == 204
    assert leases_reap(START + timedelta(seconds=91)).changed == 0


def test_reaping_a_lease_whose_limit_was_reset_by_hand_stays_at_zero(api, clock):
    create(api, "db", 2)
    acquire(api, ["db"], slots=2)
    api.patch(f"{V2}/db", {"active_slots": 0}, format="json")

    leases_reap(START + timedelta(seconds=61))

    assert ConcurrencyLimitV2.objects.get(name="db").active_slots == 0
