"""The lease reaper (service `repossessor`): lapsed deployment-concurrency leases are deleted
and their slots freed; run states are never touched; R7 and single release still hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from background.registry import services_all
from background.sweeps import lease_reaper
from background.sweeps.lease_reaper import leases_reap
from flowruns.models import DeploymentConcurrencyLease, ReapedLease
from tests.factories import DeploymentFactory, FlowRunFactory
from tests.flowruns.api.set_state.helpers import LEASE, deployment_run, read

from .lease_helpers import NEW_CLIENT, OLD_CLIENT, held, move, pending_run, renew

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_new_lease_lapses_after_the_initial_lease_duration(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    _, lease_id = pending_run(api, deployment)

    assert DeploymentConcurrencyLease.objects.get(pk=lease_id).expires_at == at(300)


def test_the_initial_lease_duration_follows_prefects_setting(api, clock, settings):
    settings.PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION = "45"
    _, lease_id = pending_run(api, DeploymentFactory(concurrency_limit=1))

    assert DeploymentConcurrencyLease.objects.get(pk=lease_id).expires_at == at(45)


@pytest.mark.parametrize("seconds", ["10", "3601", "soon"])
def test_an_out_of_range_initial_lease_duration_stops_start_up(settings, seconds):
    settings.PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION = seconds
    with pytest.raises(ImproperlyConfigured, match="INITIAL_DEPLOYMENT_LEASE_DURATION"):
        apps.get_app_config("flowruns").ready()


def test_a_lapsed_lease_is_reaped_and_its_run_keeps_its_state(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, lease_id = pending_run(api, deployment)

    assert leases_reap(at(299)).changed == 0
    result = leases_reap(at(301))

    assert (result.examined, result.changed, result.failed) == (1, 1, 0)
    assert lease_id in result.notes[0] and run_id in result.notes[0]
    assert held(deployment) == 0
    reaped = ReapedLease.objects.get()
    assert (str(reaped.id), str(reaped.flow_run_id), reaped.expired_at) == (
        lease_id,
        run_id,
        at(300),
    )
    run = read(api, run_id)
    assert run["state_type"] == "PENDING"
    assert run["state"]["state_details"][LEASE] == lease_id


def test_a_renewed_lease_outlives_its_first_expiry(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    _, lease_id = pending_run(api, deployment)

    clock.move_to(at(200))
    assert renew(api, lease_id, {"lease_duration": 600}).status_code == 204

    assert leases_reap(at(700)).changed == 0
    assert held(deployment) == 1
    assert leases_reap(at(801)).changed == 1


def test_a_lapsed_lease_frees_its_slot_even_before_the_reaper_runs(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    pending_run(api, deployment)

    clock.move_to(at(301))
    _, second_lease = pending_run(api, deployment)

    assert second_lease is not None


def test_a_run_whose_lease_was_reaped_takes_a_free_slot_at_running(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, lease_id = pending_run(api, deployment)
    clock.move_to(at(400))
    leases_reap(at(400))

    response = move(api, run_id, "RUNNING", NEW_CLIENT)

    assert response.json()["status"] == "ACCEPT"
    new_lease = response.json()["state"]["state_details"][LEASE]
    assert new_lease not in (None, lease_id)
    lease = DeploymentConcurrencyLease.objects.get(pk=new_lease)
    assert lease.expires_at == at(700)


def test_a_run_whose_lease_was_reaped_is_cancelled_at_running_when_the_slot_is_taken(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, _ = pending_run(api, deployment)
    clock.move_to(at(400))
    leases_reap(at(400))
    other_run, other_lease = pending_run(api, deployment)

    response = move(api, run_id, "RUNNING", NEW_CLIENT)

    assert response.json()["status"] == "REJECT"
    assert read(api, run_id)["state_type"] == "CANCELLED"
    assert list(DeploymentConcurrencyLease.objects.values_list("pk", flat=True)) == [
        DeploymentConcurrencyLease.objects.get(flow_run_id=other_run).pk
    ]
    assert str(DeploymentConcurrencyLease.objects.get().pk) == other_lease


def test_a_run_finishing_after_its_lease_was_reaped_releases_nothing(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, _ = pending_run(api, deployment)
    assert move(api, run_id, "RUNNING", NEW_CLIENT).json()["status"] == "ACCEPT"
    clock.move_to(at(700))
    assert leases_reap(at(700)).changed == 1
    _, other_lease = pending_run(api, deployment)

    assert move(api, run_id, "COMPLETED", NEW_CLIENT).json()["status"] == "ACCEPT"

    assert [str(pk) for pk in DeploymentConcurrencyLease.objects.values_list("pk", flat=True)] == [
        other_lease
    ]
    blocked = move(api, deployment_run(api, deployment), "PENDING", NEW_CLIENT)
    assert blocked.json()["state"]["name"] == "AwaitingConcurrencySlot"


def test_the_lease_of_a_run_started_by_an_old_client_never_lapses(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, lease_id = pending_run(api, deployment)

    assert move(api, run_id, "RUNNING", OLD_CLIENT).json()["status"] == "ACCEPT"

    assert DeploymentConcurrencyLease.objects.get(pk=lease_id).expires_at is None
    assert leases_reap(at(10 * 86400)).changed == 0
    assert held(deployment) == 1
    assert move(api, run_id, "COMPLETED", OLD_CLIENT).json()["status"] == "ACCEPT"
    assert held(deployment) == 0


def test_deleting_a_run_deletes_its_lease(api, clock):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, _ = pending_run(api, deployment)

    assert api.delete(f"/api/flow_runs/{run_id}").status_code == 204

    assert held(deployment) == 0


def test_one_pass_reaps_several_pages_and_leaves_live_leases(clock):
    deployments = [DeploymentFactory(concurrency_limit=500) for _ in range(3)]
    lapsed = [
        DeploymentConcurrencyLease(
            deployment=deployments[i % 3],
            flow_run=FlowRunFactory(deployment_id=deployments[i % 3].id),
            expires_at=at(-i - 1),
        )
        for i in range(lease_reaper.BATCH_SIZE * 2 + 5)
    ]
    live = DeploymentConcurrencyLease(
        deployment=deployments[0], flow_run=FlowRunFactory(), expires_at=at(60)
    )
    DeploymentConcurrencyLease.objects.bulk_create([*lapsed, live])

    result = leases_reap(at(0))

    assert (result.examined, result.changed) == (len(lapsed), len(lapsed))
    assert len(result.notes) == 50
    assert list(DeploymentConcurrencyLease.objects.values_list("pk", flat=True)) == [live.pk]


def test_the_repossessor_is_registered_with_prefects_settings(settings):
    settings.PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS = "7"
    settings.PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED = "false"

    service = {s.name: s for s in services_all()}["repossessor"]

    assert service.interval == timedelta(seconds=7)
    assert service.enabled is False
    assert service.run is leases_reap


def test_the_repossessor_runs_every_15_seconds_by_default():
    service = {s.name: s for s in services_all()}["repossessor"]

    assert (service.interval, service.enabled) == (timedelta(seconds=15), True)
