"""FlowRunResponse. A page of 200 runs is on the hot path of `/filter` and `/paginate`: the
dict is built in one literal per run, with the stored state details of a light row copied
in Prefect's key order without re-encoding (they come from a JSON column, so they hold no
engine values)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from flowruns.encoding import dt
from flowruns.selectors.flow_run_rows import StateRow
from orchestration.states import STATE_DETAILS_DEFAULTS

from .runs import estimated_run_time, estimated_start_time_delta
from .states import state_out

_DETAIL_DEFAULTS = tuple(STATE_DETAILS_DEFAULTS.items())


def flow_run_policy_out(stored: dict[str, Any] | None) -> dict[str, Any]:
    stored = stored or {}
    return {
        "max_retries": stored.get("max_retries", 0),
        "retry_delay_seconds": float(stored.get("retry_delay_seconds") or 0),
        "retries": stored.get("retries"),
        "retry_delay": stored.get("retry_delay"),
        "pause_keys": list(stored.get("pause_keys") or []),
        "resuming": stored.get("resuming", False),
        "retry_type": stored.get("retry_type"),
    }


def state_row_out(state: StateRow) -> dict[str, Any]:
    """`state_out` of a state read from the database: its details are JSON values already."""
    details = state.state_details or {}  # type: ignore[attr-defined]
    return {
        "id": str(state.id),  # type: ignore[attr-defined]
        "type": str(state.type),  # type: ignore[attr-defined]
        "name": state.name,  # type: ignore[attr-defined]
        "timestamp": dt(state.timestamp),  # type: ignore[attr-defined]
        "message": state.message,  # type: ignore[attr-defined]
        "data": state.data,  # type: ignore[attr-defined]
        "state_details": {key: details.get(key, default) for key, default in _DETAIL_DEFAULTS},
    }


def flow_run_out(run: Any, *, now: datetime) -> dict[str, Any]:
    """One run (a model instance or a `FlowRunRow`) as Prefect's FlowRunResponse."""
    queue = run.work_queue
    pool = queue.work_pool if queue is not None else None
    state = run.state
    if state is not None:
        state = state_row_out(state) if type(state) is StateRow else state_out(state)
    total_run_time = float(run.total_run_time or 0.0)
    return {
        "id": str(run.id),
        "created": dt(run.created),
        "updated": dt(run.updated),
        "name": run.name,
        "flow_id": str(run.flow_id),
        "state_id": None if run.state_id is None else str(run.state_id),
        "deployment_id": None if run.deployment_id is None else str(run.deployment_id),
        "deployment_version": run.deployment_version,
        "work_queue_id": None if run.work_queue_id is None else str(run.work_queue_id),
        "work_queue_name": queue.name if queue is not None else run.work_queue_name,
        "flow_version": run.flow_version,
        "parameters": run.parameters,
        "idempotency_key": run.idempotency_key,
        "context": run.context,
        "empirical_policy": flow_run_policy_out(run.empirical_policy),
        "tags": run.tags,
        "labels": run.labels if run.labels is not None else {},
        "parent_task_run_id": (
            None if run.parent_task_run_id is None else str(run.parent_task_run_id)
        ),
        "state_type": run.state_type,
        "state_name": run.state_name,
        "run_count": run.run_count,
        "expected_start_time": dt(run.expected_start_time),
        "next_scheduled_start_time": dt(run.next_scheduled_start_time),
        "start_time": dt(run.start_time),
        "end_time": dt(run.end_time),
        "total_run_time": total_run_time,
        "estimated_run_time": (
            estimated_run_time(run, now) if run.state_timestamp is not None else total_run_time
        ),
        "estimated_start_time_delta": estimated_start_time_delta(run, now),
        "auto_scheduled": run.auto_scheduled,
        "infrastructure_document_id": (
            None if run.infrastructure_document_id is None else str(run.infrastructure_document_id)
        ),
        "infrastructure_pid": run.infrastructure_pid,
        "created_by": run.created_by,
        "work_pool_id": str(pool.id) if pool is not None else None,
        "work_pool_name": pool.name if pool is not None else None,
        "state": state,
        "job_variables": run.job_variables,
    }


class FlowRunSerializer(serializers.BaseSerializer):
    """FlowRunResponse of a `FlowRunRow`, or of a model instance with `state` and
    `work_queue__work_pool` select_related (`flow_run_out` builds it)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return flow_run_out(instance, now=self.context.get("now") or timezone.now())
