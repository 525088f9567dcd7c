"""The flow-run and task-run rendering as it was before the rendering fast paths (frozen copy,
kept only so that tests can compare the new bytes with the old)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from orchestration.states import STATE_DETAILS_DEFAULTS, TERMINAL_TYPES, StateType


def dt(value: datetime | None) -> str | None:
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is not None and offset != timedelta(0):
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


def uid(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return dt(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=jsonable).encode()


def details_to_json(details: Any) -> dict[str, Any]:
    details = details or {}
    out: dict[str, Any] = {}
    for key, default in STATE_DETAILS_DEFAULTS.items():
        value = details.get(key, default)
        if isinstance(value, datetime):
            value = dt(value)
        elif isinstance(value, UUID):
            value = str(value)
        elif isinstance(value, set | frozenset):
            value = sorted(value)
        out[key] = value
    return out


def state_out(state: Any) -> dict[str, Any]:
    return {
        "id": str(state.id),
        "type": str(state.type),
        "name": state.name,
        "timestamp": dt(state.timestamp),
        "message": state.message,
        "data": state.data,
        "state_details": details_to_json(state.state_details),
    }


def retry_policy_out(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        "max_retries": stored.get("max_retries", 0),
        "retry_delay_seconds": float(stored.get("retry_delay_seconds") or 0),
        "retries": stored.get("retries"),
        "retry_delay": stored.get("retry_delay"),
    }


def estimated_run_time(run: Any, now: datetime) -> float:
    total = float(run.total_run_time or 0.0)
    if run.state_type == StateType.RUNNING and run.state_timestamp is not None:
        total += (now - run.state_timestamp).total_seconds()
    return float(total)


def estimated_start_time_delta(run: Any, now: datetime) -> float:
    start, expected = run.start_time, run.expected_start_time
    if start is not None and expected is not None and start > expected:
        return float((start - expected).total_seconds())
    if (
        start is None
        and expected is not None
        and expected < now
        and run.state_type not in TERMINAL_TYPES
    ):
        return float((now - expected).total_seconds())
    return 0.0


def run_times_out(run: Any, now: datetime) -> dict[str, Any]:
    return {
        "expected_start_time": dt(run.expected_start_time),
        "next_scheduled_start_time": dt(run.next_scheduled_start_time),
        "start_time": dt(run.start_time),
        "end_time": dt(run.end_time),
        "total_run_time": float(run.total_run_time or 0.0),
        "estimated_run_time": estimated_run_time(run, now),
        "estimated_start_time_delta": estimated_start_time_delta(run, now),
    }


def flow_run_out(run: Any, now: datetime) -> dict[str, Any]:
    queue = run.work_queue
    pool = queue.work_pool if queue is not None else None
    state = run.state
    stored = run.empirical_policy or {}
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
        "empirical_policy": {
            **retry_policy_out(stored),
            "pause_keys": list(stored.get("pause_keys") or []),
            "resuming": stored.get("resuming", False),
            "retry_type": stored.get("retry_type"),
        },
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
