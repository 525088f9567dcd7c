"""Shared helpers of the set_state API tests."""

from __future__ import annotations

from datetime import UTC, datetime

from flowruns.models import Deployment, DeploymentConcurrencyLease
from tests.factories import FlowFactory

STATE_KEYS = ["id", "type", "name", "timestamp", "message", "data", "state_details"]
DETAIL_KEYS = [
    "flow_run_id", "task_run_id", "child_flow_run_id", "scheduled_time", "cache_key",
    "cache_expiration", "deferred", "untrackable_result", "pause_timeout", "pause_reschedule",
    "pause_key", "run_input_keyset", "refresh_cache", "retriable", "transition_id",
    "task_parameters_id", "traceparent", "deployment_concurrency_lease_id",
]  # fmt: skip
LEASE = "deployment_concurrency_lease_id"


# --- helpers -----------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def create_run(api, state=None, **body) -> str:
    body.setdefault("flow_id", str(FlowFactory().id))
    if state is not None:
        body["state"] = state
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def deployment_run(api, deployment: Deployment, state=None, **body) -> str:
    return create_run(
        api,
        state=state or {"type": "SCHEDULED"},
        flow_id=str(deployment.flow_id),
        deployment_id=str(deployment.id),
        **body,
    )


def set_state(api, run_id, state, force=None, **extra):
    body = {"state": state}
    if force is not None:
        body["force"] = force
    return api.post(f"/api/flow_runs/{run_id}/set_state", body, format="json", **extra)


def propose(api, run_id, state_type, **state):
    return set_state(api, run_id, {"type": state_type, **state})


def read(api, run_id) -> dict:
    response = api.get(f"/api/flow_runs/{run_id}")
    assert response.status_code == 200
    return response.json()


def history(api, run_id) -> list[dict]:
    response = api.get(f"/api/flow_run_states/?flow_run_id={run_id}")
    assert response.status_code == 200
    return response.json()


def leases(deployment: Deployment) -> int:
    return DeploymentConcurrencyLease.objects.filter(deployment_id=deployment.id).count()
