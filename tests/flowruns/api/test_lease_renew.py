"""`POST /api/v2/concurrency_limits/leases/{id}/renew`: deployment-concurrency leases are
extended while live and answer 410 once lapsed or unknown; empty tag leases still renew."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from background.sweeps.lease_reaper import leases_reap
from flowruns.models import DeploymentConcurrencyLease
from tests.background.helpers import GONE, pending_run, renew
from tests.factories import DeploymentFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def expiry(lease_id: str) -> datetime | None:
    return DeploymentConcurrencyLease.objects.get(pk=lease_id).expires_at


def test_renewing_a_live_lease_extends_it_by_the_duration_sent(api, clock):
    _, lease_id = pending_run(api, DeploymentFactory(concurrency_limit=1))
    clock.move_to(START + timedelta(seconds=225))

    response = renew(api, lease_id, {"lease_duration": 600})

    assert (response.status_code, response.content) == (204, b"")
    assert expiry(lease_id) == START + timedelta(seconds=825)


def test_renewing_without_a_body_extends_by_300_seconds(api, clock):
    _, lease_id = pending_run(api, DeploymentFactory(concurrency_limit=1))
    clock.move_to(START + timedelta(seconds=100))

    assert renew(api, lease_id, {}).status_code == 204
    assert expiry(lease_id) == START + timedelta(seconds=400)


def test_renewing_an_unknown_lease_answers_410(api):
    response = renew(api, str(uuid.uuid4()))

    assert (response.status_code, response.json()) == (410, GONE)


def test_renewing_a_lapsed_lease_answers_410_even_before_it_is_reaped(api, clock):
    _, lease_id = pending_run(api, DeploymentFactory(concurrency_limit=1))
    clock.move_to(START + timedelta(seconds=301))

    response = renew(api, lease_id)

    assert (response.status_code, response.json()) == (410, GONE)
    assert expiry(lease_id) == START + timedelta(seconds=300)  # not revived


def test_renewing_a_reaped_lease_answers_410(api, clock):
    _, lease_id = pending_run(api, DeploymentFactory(concurrency_limit=1))
    clock.move_to(START + timedelta(seconds=400))
    assert leases_reap(START + timedelta(seconds=400)).changed == 1

    assert renew(api, lease_id).status_code == 410


@pytest.mark.parametrize("duration", [59, 86401, "long"])
def test_a_lease_duration_outside_60_to_86400_is_refused(api, duration):
    _, lease_id = pending_run(api, DeploymentFactory(concurrency_limit=1))

    response = renew(api, lease_id, {"lease_duration": duration})

    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "lease_duration"]


def test_a_lease_over_no_limits_still_renews(api):
    body = {"names": ["tag:db"], "slots": 1, "lease_duration": 60}
    granted = api.post("/api/v2/concurrency_limits/increment-with-lease", body, format="json")
    lease_id = granted.json()["lease_id"]

    assert uuid.UUID(lease_id).version == 4
    assert renew(api, lease_id, {"lease_duration": 60}).status_code == 204
    forged = lease_id[:-1] + ("0" if lease_id[-1] != "0" else "1")
    assert renew(api, forged, {"lease_duration": 60}).status_code == 410


def test_the_renew_route_documents_its_410(api):
    schema = api.get("/api/schema/?format=json").json()
    route = schema["paths"]["/api/v2/concurrency_limits/leases/{lease_id}/renew"]["post"]

    assert {"204", "410", "422"} <= set(route["responses"])
