"""Shared helpers of the background-service tests: runs of a limited deployment driven
through the API, as a worker and the flow engine drive them."""

from __future__ import annotations

from flowruns.models import Deployment, DeploymentConcurrencyLease
from tests.flowruns.api.set_state.helpers import LEASE, deployment_run, read, set_state

NEW_CLIENT = {"HTTP_USER_AGENT": "prefect/3.8.8 (API 0.8.4)"}
OLD_CLIENT = {"HTTP_USER_AGENT": "prefect/3.4.10 (API 0.8.4)"}
GONE = {"detail": "Lease not found - it may have expired or been revoked"}


def pending_run(api, deployment: Deployment) -> tuple[str, str]:
    """A run of `deployment` a worker moved to PENDING; (run id, its lease id)."""
    run_id = deployment_run(api, deployment)
    response = move(api, run_id, "PENDING", NEW_CLIENT)
    assert response.status_code == 201, response.content[:300]
    assert response.json()["status"] == "ACCEPT", response.json()
    return run_id, response.json()["state"]["state_details"][LEASE]


def lease_of(api, run_id: str) -> str | None:
    return read(api, run_id)["state"]["state_details"][LEASE]


def held(deployment: Deployment) -> int:
    """Lease rows of the deployment (live or lapsed but not reaped)."""
    return DeploymentConcurrencyLease.objects.filter(deployment_id=deployment.id).count()


def renew(api, lease_id: str, body: dict | None = None):
    return api.post(
        f"/api/v2/concurrency_limits/leases/{lease_id}/renew",
        body if body is not None else {"lease_duration": 300},
        format="json",
    )


def move(api, run_id: str, state_type: str, client: dict[str, str]):
    """Propose a state as the client of that User-Agent would."""
    return set_state(api, run_id, {"type": state_type}, **client)
