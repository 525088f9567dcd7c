from __future__ import annotations

from typing import Any

from django.utils import timezone

from flowruns.api.wire.encoding import dt, uid

from .base import ORMSerializer
from .runs import retry_policy_out, run_times_out
from .states import state_out


def task_run_policy_out(stored: dict[str, Any] | None) -> dict[str, Any]:
    stored = stored or {}
    return {**retry_policy_out(stored), "retry_jitter_factor": stored.get("retry_jitter_factor")}


class TaskRunSerializer(ORMSerializer):
    """Prefect's TaskRun, every key in its order. Expects `state` to be select_related."""

    def fields_out(self, run: Any) -> dict[str, Any]:
        now = self.context.get("now") or timezone.now()
        state = run.state
        return {
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
            **run_times_out(run, now),
            "state": state_out(state) if state is not None else None,
        }
