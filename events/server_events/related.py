"""The related resources of a `prefect.flow-run.<state>` event (spec/events.md §7.1), read in
one query in the writer's transaction.

Prefect caches this per flow run for 5 minutes, so a tag change can take that long to show;
reading it in the transaction costs one query by primary keys (the run's flow, work queue
and its pool, parent task run and deployment, whose ids the saved run holds) and is always
current.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import UUIDField

from events.conf import event_settings
from events.schemas.event import RESOURCE_ID, RESOURCE_ROLE
from flowruns.models import Deployment, Flow, FlowRun, TaskRun, WorkPool, WorkQueue
from flowruns.statement_cursor import statement_cursor

NAME = "prefect.resource.name"
CREATOR_KINDS = {"DEPLOYMENT": "deployment", "AUTOMATION": "automation"}


def _resource(kind: str, id: Any, role: str, name: str | None = None) -> dict[str, str]:
    resource = {RESOURCE_ID: f"prefect.{kind}.{id}", RESOURCE_ROLE: role}
    if name is not None:
        resource[NAME] = name
    return resource


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _uuid(value: UUID | None) -> Any:
    return _UUID_FIELD.get_db_prep_value(value, connection)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value  # SQLite gives JSON text


_UUID_FIELD = UUIDField()
COLUMNS = (
    "flow_name",
    "flow_tags",
    "queue_name",
    "pool_id",
    "pool_name",
    "pool_type",
    "task_run_name",
    "task_run_tags",
    "deployment_name",
    "deployment_tags",
)


def _surroundings(run: FlowRun) -> dict[str, Any]:
    """One statement by primary keys, written out: the ORM would spend longer building
    this query than the database spends running it, and this runs on every transition.

    None at all for a run with only a flow, whose flow the writer has loaded in this
    transaction already (a run just created): its name and tags are read off it."""
    if (
        run.work_queue_id is None
        and run.parent_task_run_id is None
        and run.deployment_id is None
        and FlowRun.flow.is_cached(run)
    ):
        return {**dict.fromkeys(COLUMNS), "flow_name": run.flow.name, "flow_tags": run.flow.tags}
    sql = f"""
        SELECT f.name, f.tags, q.name, p.id, p.name, p.type, t.name, t.tags, d.name, d.tags
        FROM {_table(Flow)} f
        LEFT JOIN {_table(WorkQueue)} q ON q.id = %s
        LEFT JOIN {_table(WorkPool)} p ON p.id = q.work_pool_id
        LEFT JOIN {_table(TaskRun)} t ON t.id = %s
        LEFT JOIN {_table(Deployment)} d ON d.id = %s
        WHERE f.id = %s
    """
    ids = (run.work_queue_id, run.parent_task_run_id, run.deployment_id, run.flow_id)
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [_uuid(value) for value in ids])
        values = cursor.fetchone()
    row = dict(zip(COLUMNS, values or (None,) * len(COLUMNS), strict=True))
    for key in ("flow_tags", "task_run_tags", "deployment_tags"):
        row[key] = _json(row[key])
    return row


def flow_run_related(run: FlowRun) -> list[dict[str, str]]:
    """Flow; deployment, work queue, work pool (with its type) and parent task run when the
    run has them; one `tag` per tag of the run, flow, deployment and parent task run (sorted,
    capped so the list fits the related-resources limit, as Prefect caps it); then the
    creator when a deployment or an automation created the run."""
    row = _surroundings(run)
    related = [_resource("flow", run.flow_id, "flow", row["flow_name"])]
    tags = _tags(run.tags) | _tags(row["flow_tags"])
    if row["deployment_name"] is not None:
        related.append(
            _resource("deployment", run.deployment_id, "deployment", row["deployment_name"])
        )
        tags |= _tags(row["deployment_tags"])
    if row["queue_name"] is not None:
        related.append(_resource("work-queue", run.work_queue_id, "work-queue", row["queue_name"]))
        pool = _resource("work-pool", _uuid_text(row["pool_id"]), "work-pool", row["pool_name"])
        pool["prefect.work-pool.type"] = row["pool_type"]
        related.append(pool)
    if row["task_run_name"] is not None:
        related.append(
            _resource("task-run", run.parent_task_run_id, "task-run", row["task_run_name"])
        )
        tags |= _tags(row["task_run_tags"])
    room = event_settings().maximum_related_resources - len(related) - 1  # one for the creator
    related.extend(_resource("tag", tag, "tag") for tag in sorted(tags)[: max(0, room)])
    return related + _creator(run.created_by)


def _uuid_text(value: Any) -> str:
    """A UUID column as read back: a UUID on PostgreSQL, 32 hex digits on SQLite."""
    return str(value if isinstance(value, UUID) else UUID(str(value)))


def _tags(tags: Any) -> set[str]:
    return {str(tag) for tag in tags} if isinstance(tags, list) else set()


def _creator(created_by: Any) -> list[dict[str, str]]:
    if not isinstance(created_by, dict) or created_by.get("type") not in CREATOR_KINDS:
        return []
    kind = CREATOR_KINDS[created_by["type"]]
    return [
        _resource(kind, created_by.get("id"), "creator", created_by.get("display_value") or None)
    ]
