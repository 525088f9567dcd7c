"""The shape of seeded rows: column order per table, the reference specs the factory draws
from, the batch container, and the encoders shared by every row (times, JSON templates of
state details and policies)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from orchestration.run_policy import FlowRunPolicy, TaskRunPolicy
from orchestration.states import STATE_DETAILS_KEYS

from .mix import SECOND

RUN_COLUMNS = (
    "id", "created", "updated", "name", "state_type", "state_name", "state_timestamp",
    "run_count", "expected_start_time", "next_scheduled_start_time", "start_time", "end_time",
    "total_run_time", "empirical_policy", "tags", "labels", "flow_id", "deployment_id",
    "deployment_version", "work_queue_name", "work_queue_id", "flow_version", "parameters",
    "idempotency_key", "context", "created_by", "infrastructure_pid",
    "infrastructure_document_id", "job_variables", "parent_task_run_id", "auto_scheduled",
    "state_id",
)  # fmt: skip
STATE_COLUMNS = (
    "id", "created", "updated", "type", "timestamp", "name", "message", "state_details",
    "data", "flow_run_id",
)  # fmt: skip
TASK_RUN_COLUMNS = (
    "id", "created", "updated", "name", "state_type", "state_name", "state_timestamp",
    "run_count", "expected_start_time", "next_scheduled_start_time", "start_time", "end_time",
    "total_run_time", "empirical_policy", "tags", "labels", "flow_run_id", "task_key",
    "dynamic_key", "cache_key", "cache_expiration", "task_version", "flow_run_run_count",
    "task_inputs", "state_id",
)  # fmt: skip
TASK_STATE_COLUMNS = (
    "id", "created", "updated", "type", "timestamp", "name", "message", "state_details",
    "data", "task_run_id",
)  # fmt: skip
LOG_COLUMNS = (
    "id", "created", "updated", "name", "level", "flow_run_id", "task_run_id", "message",
    "timestamp",
)  # fmt: skip

FLOW_POLICY = json.dumps(FlowRunPolicy().as_json())
TASK_POLICY = json.dumps(TaskRunPolicy().as_json())


@dataclass(frozen=True)
class DeploymentSpec:
    id: uuid.UUID
    version: str | None
    work_queue_id: uuid.UUID | None
    work_queue_name: str | None


@dataclass(frozen=True)
class FlowSpec:
    id: uuid.UUID
    name: str
    versions: tuple[str, ...]
    deployments: tuple[DeploymentSpec, ...]
    parameters: tuple[str, ...]  # JSON documents


@dataclass
class Batch:
    runs: list[tuple] = field(default_factory=list)
    states: list[tuple] = field(default_factory=list)
    task_runs: list[tuple] = field(default_factory=list)
    task_states: list[tuple] = field(default_factory=list)
    logs: list[tuple] = field(default_factory=list)


def when(us: int) -> datetime:
    return datetime.fromtimestamp(us / SECOND, UTC)


def iso(us: int) -> str:
    """The wire format the server writes into JSON (`...T12:00:00.123456Z`)."""
    return datetime.fromtimestamp(us / SECOND, UTC).replace(tzinfo=None).isoformat() + "Z"


def _details_template(**fixed: str) -> str:
    """StateDetails as JSON with `%(name)s` holes, in the order the server stores them."""
    details: dict[str, bool | None] = {key: None for key in STATE_DETAILS_KEYS}
    details |= {"deferred": False, "untrackable_result": False, "pause_reschedule": False}
    text = json.dumps(details)
    for key, hole in fixed.items():
        text = text.replace(f'"{key}": null', f'"{key}": {hole}')
    return text


FLOW_DETAILS = _details_template(flow_run_id='"%(run)s"', scheduled_time="%(sched)s")
PAUSED_DETAILS = _details_template(
    flow_run_id='"%(run)s"', pause_timeout='"%(timeout)s"', pause_key='"%(key)s"'
)
TASK_DETAILS = _details_template(flow_run_id='"%(run)s"', task_run_id='"%(task)s"')
