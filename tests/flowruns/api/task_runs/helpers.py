"""Shared helpers of the `/api/task_runs/...` tests."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.test import APIClient

from tests.factories import FlowFactory

TASK_RUN_KEYS = [
    "id", "created", "updated", "name", "flow_run_id", "task_key", "dynamic_key", "cache_key",
    "cache_expiration", "task_version", "empirical_policy", "tags", "labels", "state_id",
    "task_inputs", "state_type", "state_name", "run_count", "flow_run_run_count",
    "expected_start_time", "next_scheduled_start_time", "start_time", "end_time",
    "total_run_time", "estimated_run_time", "estimated_start_time_delta", "state",
]  # fmt: skip

POLICY_DEFAULTS = {
    "max_retries": 0,
    "retry_delay_seconds": 0.0,
    "retries": None,
    "retry_delay": None,
    "retry_jitter_factor": None,
}


def create_flow_run(api: APIClient, state: str = "RUNNING", **body: Any) -> dict[str, Any]:
    body.setdefault("flow_id", str(FlowFactory().id))
    body["state"] = {"type": state}
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def create_task(api: APIClient, **body: Any):
    body.setdefault("task_key", "my_task-abc123")
    body.setdefault("dynamic_key", "0")
    return api.post("/api/task_runs/", body, format="json")


def new_task(api: APIClient, flow_run_id: str | None = None, **body: Any) -> dict[str, Any]:
    if flow_run_id is not None:
        body["flow_run_id"] = flow_run_id
    body.setdefault("task_key", f"task-{uuid.uuid4().hex[:8]}")
    response = create_task(api, **body)
    assert response.status_code == 201, response.json()
    return response.json()


def set_state(api: APIClient, task_run_id: str, state_type: str, force: bool = False, **state):
    body = {"state": {"type": state_type, **state}, "force": force}
    return api.post(f"/api/task_runs/{task_run_id}/set_state", body, format="json")


def without_lateness(task_run: dict[str, Any]) -> dict[str, Any]:
    """A task run body without the one field computed from the clock at read time."""
    return {k: v for k, v in task_run.items() if k != "estimated_start_time_delta"}
