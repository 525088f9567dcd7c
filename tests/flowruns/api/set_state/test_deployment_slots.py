"""`POST /api/flow_runs/{id}/set_state`: Deployment concurrency slots through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flowruns.models import Deployment, DeploymentConcurrencyLease
from tests.factories import DeploymentFactory
from tests.flowruns.api.set_state.helpers import (
    LEASE,
    create_run,
    deployment_run,
    iso,
    leases,
    now,
    parse,
    propose,
    read,
    set_state,
)

pytestmark = pytest.mark.django_db


# --- deployment concurrency --------------------------------------------------------------------


def test_first_run_of_a_limited_deployment_takes_the_slot_with_a_lease(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="ENQUEUE")
    run_id = deployment_run(api, deployment)
    assert leases(deployment) == 0

    response = propose(api, run_id, "PENDING", state_details={LEASE: None})

    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    lease = DeploymentConcurrencyLease.objects.get(deployment_id=deployment.id)
    assert str(lease.flow_run_id) == run_id
    assert response.json()["state"]["state_details"][LEASE] == str(lease.id)
    assert read(api, run_id)["state"]["state_details"][LEASE] == str(lease.id)

    running = propose(api, run_id, "RUNNING", state_details={LEASE: None})
    assert running.json()["status"] == "ACCEPT"
    assert running.json()["state"]["state_details"][LEASE] == str(lease.id)
    assert leases(deployment) == 1


def test_full_deployment_with_enqueue_sends_the_next_run_back_to_wait(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="ENQUEUE")
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    assert propose(api, first, "PENDING").json()["status"] == "ACCEPT"

    before = now()
    response = propose(api, second, "PENDING")
    after = now()

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"] == {
        "type": "reject_details",
        "reason": "Deployment concurrency limit reached.",
    }
    assert (body["state"]["type"], body["state"]["name"]) == (
        "SCHEDULED",
        "AwaitingConcurrencySlot",
    )
    assert body["state"]["state_details"][LEASE] is None
    scheduled = parse(body["state"]["state_details"]["scheduled_time"])
    assert before + timedelta(seconds=30) <= scheduled <= after + timedelta(seconds=30)
    run = read(api, second)
    assert (run["state_type"], run["state_name"]) == ("SCHEDULED", "AwaitingConcurrencySlot")
    assert leases(deployment) == 1


def test_full_deployment_with_cancel_new_cancels_the_next_run(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="CANCEL_NEW")
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, first, "PENDING")

    response = propose(api, second, "PENDING")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"]["reason"] == "Deployment concurrency limit reached."
    assert body["state"]["type"] == "CANCELLED"
    assert body["state"]["message"] == "Deployment concurrency limit reached."
    assert read(api, second)["state_type"] == "CANCELLED"
    assert leases(deployment) == 1


def test_finishing_a_run_gives_its_slot_to_the_next_one(api):
    deployment = DeploymentFactory(concurrency_limit=1, collision_strategy="ENQUEUE")
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    lease_id = propose(api, first, "PENDING").json()["state"]["state_details"][LEASE]
    assert propose(api, second, "PENDING").json()["status"] == "REJECT"
    propose(api, first, "RUNNING")

    completed = propose(api, first, "COMPLETED")

    assert completed.json()["status"] == "ACCEPT"
    assert completed.json()["state"]["state_details"][LEASE] == lease_id
    assert leases(deployment) == 0
    retry = propose(api, second, "PENDING")
    assert retry.json()["status"] == "ACCEPT"
    lease = DeploymentConcurrencyLease.objects.get(deployment_id=deployment.id)
    assert str(lease.flow_run_id) == second
    assert retry.json()["state"]["state_details"][LEASE] == str(lease.id)


def test_forced_pending_takes_no_slot(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    response = set_state(api, run_id, {"type": "PENDING"}, force=True)
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["state_details"][LEASE] is None
    assert leases(deployment) == 0


def test_deployment_without_a_limit_takes_no_slot(api):
    deployment = DeploymentFactory(concurrency_limit=None)
    run_id = deployment_run(api, deployment)
    response = propose(api, run_id, "PENDING")
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["state_details"][LEASE] is None
    assert DeploymentConcurrencyLease.objects.count() == 0


def test_deployment_limit_of_zero_aborts_submission(api):
    deployment = DeploymentFactory(concurrency_limit=0)
    run_id = deployment_run(api, deployment)
    response = propose(api, run_id, "PENDING")
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == (
        "The deployment concurrency limit is 0. The flow will deadlock if submitted again."
    )
    assert read(api, run_id)["state_type"] == "SCHEDULED"


def test_run_of_a_deleted_deployment_cannot_be_submitted(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    Deployment.objects.filter(pk=deployment.pk).delete()
    response = propose(api, run_id, "PENDING")
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == "Deployment not found."
    assert read(api, run_id)["state_type"] == "SCHEDULED"


def test_deleting_a_run_that_holds_a_slot_frees_it(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, first, "PENDING")
    propose(api, first, "RUNNING")
    assert leases(deployment) == 1

    assert api.delete(f"/api/flow_runs/{first}").status_code == 204

    assert leases(deployment) == 0
    assert propose(api, second, "PENDING").json()["status"] == "ACCEPT"
    assert leases(deployment) == 1


# --- more deployment slots ---------------------------------------------------------------------


def test_renaming_pending_keeps_the_lease(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    lease_id = propose(api, run_id, "PENDING").json()["state"]["state_details"][LEASE]
    response = propose(api, run_id, "PENDING", name="Submitting", state_details={LEASE: None})
    assert response.json()["status"] == "ACCEPT"
    assert response.json()["state"]["state_details"][LEASE] == lease_id
    assert leases(deployment) == 1


@pytest.mark.parametrize(
    ("path", "release_on"),
    [
        (["PENDING", "SCHEDULED"], "SCHEDULED"),
        (["PENDING", "RUNNING", "PAUSED"], "PAUSED"),
        (["PENDING", "RUNNING", "CANCELLING", "CANCELLED"], "CANCELLED"),
        (["PENDING", "RUNNING", "CRASHED"], "CRASHED"),
    ],
)
def test_slot_is_held_until_the_run_leaves_pending_running_and_cancelling(api, path, release_on):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    for state_type in path:
        assert propose(api, run_id, state_type).json()["status"] == "ACCEPT", state_type
        assert leases(deployment) == (0 if state_type == release_on else 1), state_type


def test_forced_exit_from_running_releases_the_slot(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    propose(api, run_id, "PENDING")
    propose(api, run_id, "RUNNING")
    set_state(api, run_id, {"type": "COMPLETED"}, force=True)
    assert leases(deployment) == 0


def test_automatic_retry_releases_the_slot(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment, empirical_policy={"retries": 1, "retry_delay": 0})
    propose(api, run_id, "PENDING")
    propose(api, run_id, "RUNNING")
    response = propose(api, run_id, "FAILED")
    assert response.json()["state"]["name"] == "AwaitingRetry"
    assert leases(deployment) == 0


def test_pausing_a_paused_run_is_refused(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    propose(api, run_id, "PAUSED")
    response = propose(api, run_id, "PAUSED")
    assert response.status_code == 200
    assert response.json()["status"] == "REJECT"
    assert (
        response.json()["details"]["reason"] == "Cannot pause flows that are not currently running."
    )


@pytest.mark.parametrize("proposed", ["CRASHED", "PAUSED", "CANCELLING"])
def test_finished_runs_cannot_crash_pause_or_cancel(api, proposed):
    run_id = create_run(api, state={"type": "COMPLETED"})
    response = propose(api, run_id, proposed)
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == "Run is already in terminal state COMPLETED."


def test_pending_run_waits_for_the_scheduled_time_it_inherited(api):
    scheduled = now() + timedelta(seconds=60)
    run_id = create_run(
        api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": iso(scheduled)}}
    )
    pending = propose(api, run_id, "PENDING")
    assert pending.json()["status"] == "ACCEPT"
    assert pending.json()["state"]["state_details"]["scheduled_time"] == iso(scheduled)
    response = propose(api, run_id, "RUNNING")
    assert response.json()["status"] == "WAIT"
    assert 58 <= response.json()["details"]["delay_seconds"] <= 60


def test_run_that_got_a_slot_after_waiting_still_waits_for_its_new_time(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, first, "PENDING")
    assert propose(api, second, "PENDING").json()["state"]["name"] == "AwaitingConcurrencySlot"
    propose(api, first, "CANCELLED")
    assert propose(api, second, "PENDING").json()["status"] == "ACCEPT"

    response = propose(api, second, "RUNNING")

    assert response.json()["status"] == "WAIT"
    assert 28 <= response.json()["details"]["delay_seconds"] <= 30
