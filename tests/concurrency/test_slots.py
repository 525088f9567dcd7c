"""Taking and giving back slots: all-or-nothing across names, 423 with Retry-After when full,
422 for impossible requests, decay for rate limits, leases that release and renew."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2

from .helpers import V2, acquire, create, post, read, release

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def slots(name: str) -> int:
    return ConcurrencyLimitV2.objects.get(name=name).active_slots


def test_a_lease_takes_slots_and_answers_the_limits_it_covers(api):
    limit = create(api, "db", 2)

    response = acquire(api, ["db", "unknown"])

    assert response.status_code == 200
    lease_id = response.json()["lease_id"]
    assert response.json()["limits"] == [{"id": limit["id"], "name": "db", "limit": 2}]
    assert slots("db") == 1
    assert ConcurrencyLease.objects.get(pk=lease_id).limits.count() == 1


def test_unknown_names_only_grant_an_empty_lease_and_store_nothing(api):
    response = acquire(api, ["tag:none"])

    assert response.status_code == 200
    assert response.json()["limits"] == []
    assert not ConcurrencyLease.objects.exists()


def test_a_full_limit_answers_423_with_retry_after_and_counts_the_denial(api):
    create(api, "db", 1)
    assert acquire(api, ["db"]).status_code == 200

    response = acquire(api, ["db"])

    assert (response.status_code, response.json()) == (423, {"detail": "Locked"})
    # no decay: min(avg 2.0, 30) x (1 + 0 denied) / 1 = 2 s, jittered to [1.5, 2.6]
    assert 1.5 <= float(response["Retry-After"]) <= 2.6
    assert ConcurrencyLimitV2.objects.get(name="db").denied_slots == 1
    assert ConcurrencyLease.objects.count() == 1


def test_an_acquisition_over_several_limits_takes_all_or_none(api):
    create(api, "a", 2)
    create(api, "b", 1)
    acquire(api, ["b"])

    assert acquire(api, ["a", "b"]).status_code == 423
    assert (slots("a"), slots("b")) == (0, 1)


def test_inactive_limits_are_listed_but_take_nothing(api):
    create(api, "off", 1, active=False, active_slots=1)

    response = acquire(api, ["off"])

    assert response.status_code == 200
    assert [lim["name"] for lim in response.json()["limits"]] == ["off"]
    assert slots("off") == 1


@pytest.mark.parametrize("limit", [0, 1])
def test_asking_for_more_slots_than_the_limit_is_a_422(api, limit):
    create(api, "small", limit)

    response = acquire(api, ["small"], slots=2 if limit else 1)

    assert (response.status_code, response.json()) == (
        422,
        {"detail": "Slots requested is greater than the limit"},
    )


def test_rate_limiting_a_limit_without_decay_is_a_422_naming_it(api):
    create(api, "db", 5)

    response = post(api, f"{V2}/increment", {"names": ["db"], "slots": 1, "mode": "rate_limit"})

    assert response.status_code == 422
    assert response.json()["detail"].endswith("do not have a decay configured: 'db'")


def test_rate_limit_slots_decay_with_time(api, clock):
    create(api, "rl", 1, slot_decay_per_second=0.5)
    body = {"names": ["rl"], "slots": 1, "mode": "rate_limit"}
    assert post(api, f"{V2}/increment", body).status_code == 200

    refused = post(api, f"{V2}/increment", body)
    clock.move_to(START + timedelta(seconds=2))

    assert refused.status_code == 423
    # with decay: (1 + 0 denied) / 0.5 per second = 2 s, jittered
    assert 1.5 <= float(refused["Retry-After"]) <= 2.6
    assert read(api, "rl")["active_slots"] == 0
    assert post(api, f"{V2}/increment", body).status_code == 200


def test_releasing_a_lease_gives_its_slots_back_once(api):
    create(api, "db", 3)
    lease_id = acquire(api, ["db"], slots=2).json()["lease_id"]
    acquire(api, ["db"], slots=1)

    assert release(api, lease_id).status_code == 204
    assert release(api, lease_id).status_code == 204

    assert slots("db") == 1
    assert not ConcurrencyLease.objects.filter(pk=lease_id).exists()


def test_decrement_by_name_never_goes_below_zero(api):
    create(api, "db", 3, active_slots=1)

    response = post(api, f"{V2}/decrement", {"names": ["db"], "slots": 2, "occupancy_seconds": 1})

    assert response.status_code == 200
    assert [lim["name"] for lim in response.json()] == ["db"]
    assert slots("db") == 0


def test_renewing_a_lease_extends_it_and_a_released_one_is_not_renewed(api, clock):
    create(api, "db", 1)
    lease_id = acquire(api, ["db"]).json()["lease_id"]
    clock.move_to(START + timedelta(seconds=45))

    renewed = post(api, f"{V2}/leases/{lease_id}/renew", {"lease_duration": 60})

    assert renewed.status_code == 204
    assert ConcurrencyLease.objects.get(pk=lease_id).expires_at == START + timedelta(seconds=105)
    too_short = post(api, f"{V2}/leases/{lease_id}/renew", {"lease_duration": 10})
    assert too_short.status_code == 422


def test_names_may_be_empty_and_grant_nothing(api):
    response = post(api, f"{V2}/increment", {"names": [], "slots": 1})

    assert (response.status_code, response.json()) == (200, [])


def test_a_holder_with_an_unknown_type_is_a_422(api):
    holder = {"type": "robot", "id": str(uuid.uuid4())}

    assert acquire(api, ["db"], holder=holder).status_code == 422


def test_retry_after_of_a_full_tag_limit_is_capped_by_the_tag_wait_setting(api, settings):
    settings.PREFECT_SERVER_TASKS_TAG_CONCURRENCY_SLOT_WAIT_SECONDS = "1"
    create(api, "tag:etl", 1)
    acquire(api, ["tag:etl"])

    response = acquire(api, ["tag:etl"])

    # min(min(avg 2.0, 1) x 1, 1) = 1 s, jittered to [0.75, 1.3]
    assert 0.75 <= float(response["Retry-After"]) <= 1.3


def test_a_release_with_its_occupancy_moves_the_average_occupancy(api):
    create(api, "db", 1, active_slots=1)
    body = {"names": ["db"], "slots": 1, "occupancy_seconds": 4}

    post(api, f"{V2}/decrement", body)

    # a moving average over 2 x limit releases: 2.0 + 4 / 2 - 2.0 / 2
    assert ConcurrencyLimitV2.objects.get(name="db").avg_slot_occupancy_seconds == 3.0


def test_releasing_a_lease_counts_its_age_as_the_occupancy(api, clock):
    create(api, "db", 1)
    lease_id = acquire(api, ["db"]).json()["lease_id"]
    clock.move_to(START + timedelta(seconds=10))

    release(api, lease_id)

    assert ConcurrencyLimitV2.objects.get(name="db").avg_slot_occupancy_seconds == 6.0
