"""Shared helpers of the `/api/flow_runs/` route tests."""

from __future__ import annotations

from tests.factories import FlowFactory

RESPONSE_KEYS = [
    "id", "created", "updated", "name", "flow_id", "state_id", "deployment_id",
    "deployment_version", "work_queue_id", "work_queue_name", "flow_version", "parameters",
    "idempotency_key", "context", "empirical_policy", "tags", "labels", "parent_task_run_id",
    "state_type", "state_name", "run_count", "expected_start_time",
    "next_scheduled_start_time", "start_time", "end_time", "total_run_time",
    "estimated_run_time", "estimated_start_time_delta", "auto_scheduled",
    "infrastructure_document_id", "infrastructure_pid", "created_by", "work_pool_id",
    "work_pool_name", "state", "job_variables",
]  # fmt: skip


def create(api, **body):
    body.setdefault("flow_id", str(FlowFactory().id))
    return api.post("/api/flow_runs/", body, format="json")
