"""`X-PREFECT-API-VERSION` on the orchestration routes (api.md §1.6, orchestration.md §3.4).

Absent header = a modern client. Below 0.8.4 the pause/resume bookkeeping is off: `run_count`
always increments on RUNNING, `resuming` is neither honoured nor cleared, and pause metadata
is not reset when a run retries or leaves a terminal state.
"""

from __future__ import annotations

import pytest

from flowruns.models import DeploymentConcurrencyLease, FlowRunState
from tests.factories import DeploymentFactory, FlowFactory

pytestmark = pytest.mark.django_db

LEGACY = {"HTTP_X_PREFECT_API_VERSION": "0.8.3"}
CURRENT = {"HTTP_X_PREFECT_API_VERSION": "0.8.4"}
MODERN = [pytest.param({}, id="no-header"), pytest.param(CURRENT, id="0.8.4")]


def create_run(api, state_type="RUNNING", **body) -> str:
    body.setdefault("flow_id", str(FlowFactory().id))
    body["state"] = {"type": state_type}
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201
    return response.json()["id"]


def propose(api, run_id, state_type, headers, **state):
    body = {"state": {"type": state_type, **state}}
    return api.post(f"/api/flow_runs/{run_id}/set_state", body, format="json", **headers)


def resume(api, run_id, headers):
    return api.post(f"/api/flow_runs/{run_id}/resume", {}, format="json", **headers)


def read(api, run_id) -> dict:
    return api.get(f"/api/flow_runs/{run_id}").json()


# --- header validation -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1.0", "0.8.3x"])
def test_malformed_api_version_is_a_400_and_changes_nothing(api, value):
    run_id = create_run(api)
    response = propose(api, run_id, "COMPLETED", {"HTTP_X_PREFECT_API_VERSION": value})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid X-PREFECT-API-VERSION header format."
        f"Expected header in format 'x.y.z' but received {value}"
    }
    assert read(api, run_id)["state_type"] == "RUNNING"


def test_api_version_older_than_0_8_0_is_a_400(api):
    run_id = create_run(api)
    response = propose(api, run_id, "COMPLETED", {"HTTP_X_PREFECT_API_VERSION": "0.7.9"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request specified API version 0.7.9 but this server requires version "
        "0.8.0 or higher."
    }
    assert FlowRunState.objects.filter(flow_run_id=run_id).count() == 1


@pytest.mark.parametrize("route", ["resume", "bulk_set_state"])
def test_malformed_api_version_is_a_400_on_resume_and_bulk_too(api, route):
    run_id = create_run(api)
    path = (
        f"/api/flow_runs/{run_id}/resume" if route == "resume" else "/api/flow_runs/bulk_set_state"
    )
    body = {} if route == "resume" else {"state": {"type": "COMPLETED"}}
    response = api.post(path, body, format="json", HTTP_X_PREFECT_API_VERSION="nope")
    assert response.status_code == 400
    assert read(api, run_id)["state_type"] == "RUNNING"


def test_a_newer_api_version_is_accepted(api):
    run_id = create_run(api)
    response = propose(api, run_id, "COMPLETED", {"HTTP_X_PREFECT_API_VERSION": "9.9.9"})
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"


# --- pause / resume bookkeeping ----------------------------------------------------------------


@pytest.mark.parametrize("headers", MODERN)
def test_modern_clients_do_not_count_the_resumed_run_twice(api, headers):
    run_id = create_run(api)
    propose(api, run_id, "PAUSED", headers)
    assert resume(api, run_id, headers).json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert (run["run_count"], run["empirical_policy"]["resuming"]) == (2, True)

    assert propose(api, run_id, "RUNNING", headers).json()["status"] == "ACCEPT"

    run = read(api, run_id)
    assert run["run_count"] == 2
    assert run["empirical_policy"]["resuming"] is False


def test_legacy_clients_count_every_running_and_never_clear_resuming(api):
    run_id = create_run(api)
    propose(api, run_id, "PAUSED", LEGACY)
    assert resume(api, run_id, LEGACY).json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert (run["run_count"], run["empirical_policy"]["resuming"]) == (2, True)

    assert propose(api, run_id, "RUNNING", LEGACY).json()["status"] == "ACCEPT"

    run = read(api, run_id)
    assert run["run_count"] == 3
    assert run["empirical_policy"]["resuming"] is True

    assert propose(api, run_id, "COMPLETED", LEGACY).json()["status"] == "ACCEPT"
    assert read(api, run_id)["empirical_policy"]["resuming"] is True


@pytest.mark.parametrize("headers", MODERN)
def test_modern_clients_reset_pause_metadata_when_a_finished_run_restarts(api, headers):
    run_id = create_run(api)
    propose(api, run_id, "PAUSED", headers, state_details={"pause_key": "gate"})
    resume(api, run_id, headers)
    propose(api, run_id, "COMPLETED", headers)
    assert read(api, run_id)["empirical_policy"]["pause_keys"] == ["gate"]

    assert propose(api, run_id, "RUNNING", headers).json()["status"] == "ACCEPT"

    policy = read(api, run_id)["empirical_policy"]
    assert policy["pause_keys"] == []
    assert policy["resuming"] is False
    assert policy["retry_type"] is None
    # the key can fire again on the new attempt
    again = propose(api, run_id, "PAUSED", headers, state_details={"pause_key": "gate"})
    assert again.json()["status"] == "ACCEPT"


def test_legacy_clients_keep_pause_metadata_when_a_finished_run_restarts(api):
    run_id = create_run(api)
    propose(api, run_id, "PAUSED", LEGACY, state_details={"pause_key": "gate"})
    resume(api, run_id, LEGACY)
    propose(api, run_id, "COMPLETED", LEGACY)

    assert propose(api, run_id, "RUNNING", LEGACY).json()["status"] == "ACCEPT"

    assert read(api, run_id)["empirical_policy"]["pause_keys"] == ["gate"]
    again = propose(api, run_id, "PAUSED", LEGACY, state_details={"pause_key": "gate"})
    assert again.json()["status"] == "REJECT"
    assert again.json()["details"]["reason"] == "This pause has already fired."


def test_legacy_manual_retry_keeps_the_policy(api):
    deployment = DeploymentFactory()
    run_id = create_run(api, flow_id=str(deployment.flow_id), deployment_id=str(deployment.id))
    propose(api, run_id, "PAUSED", LEGACY, state_details={"pause_key": "gate"})
    resume(api, run_id, LEGACY)
    propose(api, run_id, "FAILED", LEGACY)

    assert propose(api, run_id, "SCHEDULED", LEGACY).json()["status"] == "ACCEPT"

    policy = read(api, run_id)["empirical_policy"]
    assert policy["pause_keys"] == ["gate"]
    assert policy["retry_type"] is None


# --- automatic retries -------------------------------------------------------------------------


@pytest.mark.parametrize("headers", MODERN)
def test_modern_retry_marks_the_policy_in_process_and_clears_pause_keys(api, headers):
    run_id = create_run(api, empirical_policy={"retries": 2, "retry_delay": 0})
    propose(api, run_id, "PAUSED", headers, state_details={"pause_key": "gate"})
    resume(api, run_id, headers)

    response = propose(api, run_id, "FAILED", headers)

    assert response.json()["status"] == "REJECT"
    assert response.json()["state"]["name"] == "AwaitingRetry"
    policy = read(api, run_id)["empirical_policy"]
    assert policy["retry_type"] == "in_process"
    assert policy["pause_keys"] == []
    assert policy["resuming"] is False


def test_legacy_retry_still_retries_but_leaves_the_policy_alone(api):
    run_id = create_run(api, empirical_policy={"retries": 2, "retry_delay": 0})
    propose(api, run_id, "PAUSED", LEGACY, state_details={"pause_key": "gate"})
    resume(api, run_id, LEGACY)

    response = propose(api, run_id, "FAILED", LEGACY)

    assert response.status_code == 201
    assert response.json()["status"] == "REJECT"
    assert response.json()["details"]["reason"] == "Retrying"
    assert response.json()["state"]["name"] == "AwaitingRetry"
    policy = read(api, run_id)["empirical_policy"]
    assert policy["retry_type"] is None
    assert policy["pause_keys"] == ["gate"]
    assert policy["resuming"] is True


# --- client version (User-Agent) ---------------------------------------------------------------


def user_agent(version: str) -> dict:
    return {"HTTP_USER_AGENT": f"prefect/{version} (API 0.8.4)"}


def deployment_run(api, deployment) -> str:
    return create_run(
        api, "SCHEDULED", flow_id=str(deployment.flow_id), deployment_id=str(deployment.id)
    )


def lease_count(deployment) -> int:
    return DeploymentConcurrencyLease.objects.filter(deployment_id=deployment.id).count()


@pytest.mark.parametrize("version", ["3.0.0rc20", "3.0.0", "3.0.2", "3.0.3"])
def test_workers_that_manage_concurrency_themselves_take_no_slot(api, version):
    deployment = DeploymentFactory(concurrency_limit=1)
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    for run_id in (first, second):
        response = propose(api, run_id, "PENDING", user_agent(version))
        assert response.json()["status"] == "ACCEPT"
        assert response.json()["state"]["state_details"]["deployment_concurrency_lease_id"] is None
    assert lease_count(deployment) == 0


@pytest.mark.parametrize("version", ["3.0.4", "3.4.11", "2.20.0"])
def test_other_client_versions_take_a_slot(api, version):
    deployment = DeploymentFactory(concurrency_limit=1)
    first, second = deployment_run(api, deployment), deployment_run(api, deployment)
    assert propose(api, first, "PENDING", user_agent(version)).json()["status"] == "ACCEPT"
    assert lease_count(deployment) == 1
    assert propose(api, second, "PENDING", user_agent(version)).json()["status"] == "REJECT"


def test_lease_lost_before_running_is_taken_again_when_free(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id = deployment_run(api, deployment)
    old = propose(api, run_id, "PENDING", user_agent("3.4.11")).json()["state"]["state_details"]
    DeploymentConcurrencyLease.objects.all().delete()  # reaped

    response = propose(api, run_id, "RUNNING", user_agent("3.4.11"))

    assert response.json()["status"] == "ACCEPT"
    lease = DeploymentConcurrencyLease.objects.get(deployment_id=deployment.id)
    new_id = response.json()["state"]["state_details"]["deployment_concurrency_lease_id"]
    assert new_id == str(lease.id) != old["deployment_concurrency_lease_id"]


def test_lease_lost_before_running_cancels_the_run_when_the_slot_is_taken(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, other = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, run_id, "PENDING", user_agent("3.4.11"))
    DeploymentConcurrencyLease.objects.all().delete()  # reaped
    assert propose(api, other, "PENDING", user_agent("3.4.11")).json()["status"] == "ACCEPT"

    response = propose(api, run_id, "RUNNING", user_agent("3.4.11"))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"]["reason"] == "Deployment concurrency limit reached after lease expiry."
    assert body["state"]["type"] == "CANCELLED"
    assert body["state"]["message"] == (
        "Deployment concurrency slot lost during provisioning - no slots available to continue "
        "execution"
    )
    assert read(api, run_id)["state_type"] == "CANCELLED"
    assert lease_count(deployment) == 1


@pytest.mark.parametrize("headers", [{}, {"HTTP_USER_AGENT": "prefect/3.4.10 (API 0.8.4)"}])
def test_older_clients_start_running_without_a_lease_check(api, headers):
    deployment = DeploymentFactory(concurrency_limit=1)
    run_id, other = deployment_run(api, deployment), deployment_run(api, deployment)
    propose(api, run_id, "PENDING", headers)
    DeploymentConcurrencyLease.objects.all().delete()  # reaped
    propose(api, other, "PENDING", headers)
    response = propose(api, run_id, "RUNNING", headers)
    assert response.json()["status"] == "ACCEPT"
