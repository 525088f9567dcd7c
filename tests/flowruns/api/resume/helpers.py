"""Shared helpers of the `/api/flow_runs/{id}/resume` tests."""

from __future__ import annotations

from tests.flowruns.api.set_state.helpers import create_run

KEYSET = {
    "description": "paused-1-description",
    "response": "paused-1-response",
    "schema": "paused-1-schema",
}

APPROVAL_SCHEMA = {
    "title": "Approval",
    "type": "object",
    "properties": {"approved": {"title": "Approved", "type": "boolean"}},
    "required": ["approved"],
}


def set_state(api, run_id, state_type, force=False, **state):
    body = {"state": {"type": state_type, **state}, "force": force}
    return api.post(f"/api/flow_runs/{run_id}/set_state", body, format="json")


def paused_run(api, deployment=None, name="Paused", **details) -> str:
    """A RUNNING run (with the deployment, if given) paused through set_state."""
    extra = {}
    if deployment is not None:
        extra = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    run_id = create_run(api, state={"type": "RUNNING"}, **extra)
    response = set_state(api, run_id, "PAUSED", name=name, state_details=details)
    assert response.json()["status"] == "ACCEPT", response.json()
    return run_id


def add_input(api, run_id, key, value: str):
    response = api.post(
        f"/api/flow_runs/{run_id}/input", {"key": key, "value": value}, format="json"
    )
    assert response.status_code == 201


def resume(api, run_id, body=None, **headers):
    return api.post(f"/api/flow_runs/{run_id}/resume", body or {}, format="json", **headers)


def read(api, run_id) -> dict:
    return api.get(f"/api/flow_runs/{run_id}").json()


def assert_rejected_with_paused_state(api, run_id, response, reason):
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["details"] == {"type": "abort_details", "reason": reason}
    run = read(api, run_id)
    assert run["state_type"] == "PAUSED"
    assert body["state"] == run["state"]
