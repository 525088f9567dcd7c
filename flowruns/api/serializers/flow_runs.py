from __future__ import annotations

from typing import Any

from django.utils import timezone

from flowruns.api.wire.encoding import uid

from .base import ORMSerializer
from .runs import retry_policy_out, run_times_out
from .states import state_out


def flow_run_policy_out(stored: dict[str, Any] | None) -> dict[str, Any]:
    stored = stored or {}
    return {
        **retry_policy_out(stored),
        "pause_keys": list(stored.get("pause_keys") or []),
        "resuming": stored.get("resuming", False),
        "retry_type": stored.get("retry_type"),
    }


class FlowRunSerializer(ORMSerializer):
    """FlowRunResponse. Expects `state` and `work_queue__work_pool` to be select_related."""

    def fields_out(self, run: Any) -> dict[str, Any]:
        now = self.context.get("now") or timezone.now()
        queue = run.work_queue
        pool = queue.work_pool if queue is not None else None
        state = run.state
        return {
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
            **run_times_out(run, now),
            "auto_scheduled": run.auto_scheduled,
            "infrastructure_document_id": uid(run.infrastructure_document_id),
            "infrastructure_pid": run.infrastructure_pid,
            "created_by": run.created_by,
            "work_pool_id": uid(pool.id) if pool is not None else None,
            "work_pool_name": pool.name if pool is not None else None,
            "state": state_out(state) if state is not None else None,
            "job_variables": run.job_variables,
        }
