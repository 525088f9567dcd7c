"""`POST /api/v2/concurrency_limits/leases/{id}/renew`: deployment-concurrency leases are
extended while live and answer 410 once lapsed (the flow engine then stops its run); a lease
its own run released, or one that never held anything, answers 204 so no healthy run is
stopped."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from background.sweeps.lease_reaper import leases_reap
from flowruns.models import DeploymentConcurrencyLease
from tests.background.lease_helpers import GONE, NEW_CLIENT, move, pending_run, renew
from tests.factories import DeploymentFactory
from tests.flowruns.api.set_state.helpers import LEASE, deployment_run

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


def test_renewing_a_lease_that_never_existed_has_nothing_to_renew(api):
    response = renew(api, str(uuid.uuid4()))

    assert (response.status_code, response.content) == (204, b"")


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

    assert renew(api, lease_id).json() == GONE


def test_a_reaped_lease_is_remembered_for_a_day(api, clock):
    _, lease_id = pending_run(api, DeploymentFactory(concurrency_limit=1))
    leases_reap(START + timedelta(seconds=400))

    clock.move_to(START + timedelta(days=1, seconds=399))
    leases_reap(START + timedelta(days=1, seconds=399))
    assert renew(api, lease_id).status_code == 410
    clock.move_to(START + timedelta(days=1, seconds=401))
    leases_reap(START + timedelta(days=1, seconds=401))
    assert renew(api, lease_id).status_code == 204


def test_a_retrying_run_is_not_stopped_by_a_last_renewal_of_its_released_lease(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment, empirical_policy={"retries": 1, "retry_delay": 0})
    _, lease_id = pending_run_of(api, run_id)
    move(api, run_id, "RUNNING", NEW_CLIENT)
    assert move(api, run_id, "FAILED", NEW_CLIENT).json()["state"]["name"] == "AwaitingRetry"
    retry = move(api, run_id, "RUNNING", NEW_CLIENT).json()["state"]

    assert retry["state_details"][LEASE] is None  # the new attempt renews nothing
    assert not DeploymentConcurrencyLease.objects.filter(pk=lease_id).exists()
    assert renew(api, lease_id).status_code == 204  # the first attempt's renewal thread


def pending_run_of(api, run_id: str) -> tuple[str, str]:
    response = move(api, run_id, "PENDING", NEW_CLIENT)
    return run_id, response.json()["state"]["state_details"][LEASE]


def test_a_paused_run_whose_slot_was_released_keeps_renewing_without_being_stopped(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, lease_id = pending_run(api, deployment)
    move(api, run_id, "RUNNING", NEW_CLIENT)
    assert move(api, run_id, "PAUSED", NEW_CLIENT).json()["status"] == "ACCEPT"

    assert not DeploymentConcurrencyLease.objects.filter(pk=lease_id).exists()
    assert renew(api, lease_id).status_code == 204


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

    assert renew(api, lease_id, {"lease_duration": 60}).status_code == 204


def test_the_renew_route_documents_its_410(api):
    schema = api.get("/api/schema/?format=json").json()
    route = schema["paths"]["/api/v2/concurrency_limits/leases/{lease_id}/renew"]["post"]

    assert {"204", "410", "422"} <= set(route["responses"])
