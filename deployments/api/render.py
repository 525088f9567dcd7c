"""The answers' shapes, keys in Prefect's order (spec/deployments.md §2)."""

from __future__ import annotations

import uuid
from typing import Any

from flowruns.encoding import dt
from flowruns.models import Deployment, DeploymentSchedule

# Deployment limits are shown as a global limit named `deployment:<id>` with a stable id.
LIMIT_NAMESPACE = uuid.UUID("5b0e1c9e-4d0a-4e5e-9d5a-6b1f0d6c2a11")


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def schedule_out(schedule: DeploymentSchedule) -> dict[str, Any]:
    return {
        "id": str(schedule.id),
        "created": dt(schedule.created),
        "updated": dt(schedule.updated),
        "deployment_id": str(schedule.deployment_id),
        "schedule": schedule.schedule,
        "active": schedule.active,
        "max_scheduled_runs": schedule.max_scheduled_runs,
        "parameters": schedule.parameters,
        "slug": schedule.slug,
    }


def global_limit_out(deployment: Deployment) -> dict[str, Any] | None:
    """`concurrency_limit` + the live lease count, as Prefect's `deployment:<id>` limit."""
    if deployment.concurrency_limit is None:
        return None
    name = f"deployment:{deployment.id}"
    return {
        "id": str(uuid.uuid5(LIMIT_NAMESPACE, name)),
        "created": dt(deployment.created),
        "updated": dt(deployment.updated),
        "active": True,
        "name": name,
        "limit": deployment.concurrency_limit,
        "active_slots": getattr(deployment, "active_slots", 0),
        "slot_decay_per_second": 0.0,
    }


def deployment_out(deployment: Deployment) -> dict[str, Any]:
    """From a row of `selectors.deployments_for_response()`."""
    queue = deployment.work_queue
    return {
        "id": str(deployment.id),
        "created": dt(deployment.created),
        "updated": dt(deployment.updated),
        "name": deployment.name,
        "version": deployment.version,
        "description": deployment.description,
        "flow_id": str(deployment.flow_id),
        "paused": deployment.paused,
        "schedules": [schedule_out(s) for s in deployment.schedules.all()],
        "concurrency_limit": None,
        "global_concurrency_limit": global_limit_out(deployment),
        "concurrency_options": deployment.concurrency_options,
        "job_variables": deployment.job_variables or {},
        "parameters": deployment.parameters or {},
        "tags": deployment.tags or [],
        "labels": deployment.labels or {},
        "work_queue_name": queue.name if queue is not None else deployment.work_queue_name,
        "work_queue_id": _str(deployment.work_queue_id),
        "last_polled": dt(deployment.last_polled),
        "parameter_openapi_schema": deployment.parameter_openapi_schema,
        "path": deployment.path,
        "pull_steps": deployment.pull_steps,
        "entrypoint": deployment.entrypoint,
        "storage_document_id": _str(deployment.storage_document_id),
        "infrastructure_document_id": _str(deployment.infrastructure_document_id),
        "created_by": deployment.created_by,
        "updated_by": deployment.updated_by,
        "work_pool_name": queue.work_pool.name if queue is not None else None,
        "status": deployment.status,
        "enforce_parameter_schema": deployment.enforce_parameter_schema,
    }
