from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from flowruns.api.wire.encoding import dt, uid
from orchestration.states import TERMINAL_TYPES as TERMINAL_STATE_TYPES
from orchestration.states import StateType

from .states import state_out

POLICY_DEFAULTS: dict[str, Any] = {
    "max_retries": 0,
    "retry_delay_seconds": 0.0,
    "retries": None,
    "retry_delay": None,
    "pause_keys": [],
    "resuming": False,
    "retry_type": None,
}


def flow_run_policy_out(stored: dict[str, Any] | None) -> dict[str, Any]:
    policy = {key: (stored or {}).get(key, default) for key, default in POLICY_DEFAULTS.items()}
    policy["retry_delay_seconds"] = float(policy["retry_delay_seconds"] or 0)
    policy["pause_keys"] = list(policy["pause_keys"] or [])
    return policy


def estimated_run_time(run: Any, now: datetime) -> float:
    total = float(run.total_run_time or 0.0)
    if run.state_type == StateType.RUNNING and run.state_timestamp is not None:
        total += (now - run.state_timestamp).total_seconds()
    return float(total)


def estimated_start_time_delta(run: Any, now: datetime) -> float:
    """Lateness: how far behind its expected start the run started (or still is)."""
    start, expected = run.start_time, run.expected_start_time
    if start is not None and expected is not None and start > expected:
        return float((start - expected).total_seconds())
    if (
        start is None
        and expected is not None
        and expected < now
        and run.state_type not in TERMINAL_STATE_TYPES
    ):
        return float((now - expected).total_seconds())
    return 0.0


class FlowRunSerializer(serializers.BaseSerializer):
    """FlowRunResponse. Expects `state` and `work_queue__work_pool` to be select_related."""

    def to_representation(self, run: Any) -> dict[str, Any]:
        now = self.context.get("now") or timezone.now()
        queue = run.work_queue
        pool = queue.work_pool if queue is not None else None
        state = run.state
        return {
            "id": str(run.id),
            "created": dt(run.created),
            "updated": dt(run.updated),
            "name": run.name,
            "flow_id": str(run.flow_id),
            "state_id": uid(run.state_id),
            "deployment_id": uid(run.deployment_id),
            "deployment_version": run.deployment_version,
            "work_queue_id": uid(run.work_queue_id),
            "work_queue_name": queue.name if queue is not None else run.work_queue_name,
            "flow_version": run.flow_version,
            "parameters": run.parameters,
            "idempotency_key": run.idempotency_key,
            "context": run.context,
            "empirical_policy": flow_run_policy_out(run.empirical_policy),
            "tags": run.tags,
            "labels": run.labels if run.labels is not None else {},
            "parent_task_run_id": uid(run.parent_task_run_id),
            "state_type": run.state_type,
            "state_name": run.state_name,
            "run_count": run.run_count,
            "expected_start_time": dt(run.expected_start_time),
            "next_scheduled_start_time": dt(run.next_scheduled_start_time),
            "start_time": dt(run.start_time),
            "end_time": dt(run.end_time),
            "total_run_time": float(run.total_run_time or 0.0),
            "estimated_run_time": estimated_run_time(run, now),
            "estimated_start_time_delta": estimated_start_time_delta(run, now),
            "auto_scheduled": run.auto_scheduled,
            "infrastructure_document_id": uid(run.infrastructure_document_id),
            "infrastructure_pid": run.infrastructure_pid,
            "created_by": run.created_by,
            "work_pool_id": uid(pool.id) if pool is not None else None,
            "work_pool_name": pool.name if pool is not None else None,
            "state": state_out(state) if state is not None else None,
            "job_variables": run.job_variables,
        }
