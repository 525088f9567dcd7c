from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from flowruns.api.wire.encoding import dt, uid

from .flow_runs import estimated_run_time, estimated_start_time_delta
from .states import state_out

TASK_RUN_POLICY_DEFAULTS: dict[str, Any] = {
    "max_retries": 0,
    "retry_delay_seconds": 0.0,
    "retries": None,
    "retry_delay": None,
    "retry_jitter_factor": None,
}


def task_run_policy_out(stored: dict[str, Any] | None) -> dict[str, Any]:
    policy = {
        key: (stored or {}).get(key, default) for key, default in TASK_RUN_POLICY_DEFAULTS.items()
    }
    policy["retry_delay_seconds"] = float(policy["retry_delay_seconds"] or 0)
    return policy


class TaskRunSerializer(serializers.BaseSerializer):
    """Prefect's TaskRun, every key in its order. Expects `state` to be select_related."""

    def to_representation(self, run: Any) -> dict[str, Any]:
        now = self.context.get("now") or timezone.now()
        state = run.state
        return {
            "id": str(run.id),
            "created": dt(run.created),
            "updated": dt(run.updated),
            "name": run.name,
            "flow_run_id": uid(run.flow_run_id),
            "task_key": run.task_key,
            "dynamic_key": run.dynamic_key,
            "cache_key": run.cache_key,
            "cache_expiration": dt(run.cache_expiration),
            "task_version": run.task_version,
            "empirical_policy": task_run_policy_out(run.empirical_policy),
            "tags": run.tags,
            "labels": run.labels,
            "state_id": uid(run.state_id),
            "task_inputs": run.task_inputs,
            "state_type": run.state_type,
            "state_name": run.state_name,
            "run_count": run.run_count,
            "flow_run_run_count": run.flow_run_run_count,
            "expected_start_time": dt(run.expected_start_time),
            "next_scheduled_start_time": dt(run.next_scheduled_start_time),
            "start_time": dt(run.start_time),
            "end_time": dt(run.end_time),
            "total_run_time": float(run.total_run_time or 0.0),
            "estimated_run_time": estimated_run_time(run, now),
            "estimated_start_time_delta": estimated_start_time_delta(run, now),
            "state": state_out(state) if state is not None else None,
        }
