"""Creating and updating flow runs. State changes go through `services.states` only."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction

from flowruns.errors import DetailError, IntegrityConflict
from flowruns.models import Deployment, Flow, FlowRun, StateType, TaskRun, WorkPool, WorkQueue
from flowruns.naming import random_run_name
from flowruns.selectors.prepared import PreparedInstances

from . import listeners
from .orchestration_types import OrchestrationCall, StateProposal
from .run_input.schema_validation import CircularSchema, RunInputInvalid, validate_run_input
from .run_kinds import FLOW_RUNS
from .runs import run_insert

_FLOW = PreparedInstances(Flow, lambda key: Flow.objects.filter(pk=key))


def _resolve_work_queue(pool_name: str | None, queue_name: str | None) -> WorkQueue | None:
    if pool_name is None:
        return None
    pool = WorkPool.objects.filter(name=pool_name).first()
    if pool is None:
        raise DetailError(404, f'Work pool "{pool_name}" not found.')
    name = queue_name if queue_name is not None else WorkQueue.DEFAULT_NAME
    queue = WorkQueue.objects.select_related("work_pool").filter(work_pool=pool, name=name).first()
    if queue is None:
        raise DetailError(404, f"Work pool queue '{pool_name}/{name}' not found.")
    return queue


def _labels(
    flow: Flow, deployment_id: UUID | None, user_labels: dict[str, Any] | None
) -> dict[str, Any]:
    deployment = (
        Deployment.objects.filter(pk=deployment_id).only("id", "flow_id", "labels").first()
        if deployment_id is not None
        else None
    )
    if deployment is not None:
        parent = deployment.labels or {}
        system = {
            "prefect.flow.id": str(deployment.flow_id),
            "prefect.deployment.id": str(deployment.id),
        }
    else:
        parent = flow.labels or {}
        system = {"prefect.flow.id": str(flow.id)}
    return {**parent, **system, **(user_labels or {})}


def flow_run_create(
    *,
    flow_id: UUID,
    fields: dict[str, Any],
    state: StateProposal,
    call: OrchestrationCall,
    created_by: dict[str, Any] | None = None,
    work_pool_name: str | None = None,
    work_queue_name: str | None = None,
) -> tuple[FlowRun, bool]:
    """Create a run and write its initial state (PENDING when none is given) under the force
    policy, then, when `fields` gave its id, tell the listeners of new flow runs (task-run
    events that arrived before the run are recorded now). With an idempotency key already
    used for this flow, return that run unchanged: `(run, created)`.
    """
    flow = _FLOW.first(flow_id)
    if flow is None:
        raise IntegrityConflict()
    parent_task_run_id = fields.get("parent_task_run_id")
    if (
        parent_task_run_id is not None
        and not TaskRun.objects.filter(pk=parent_task_run_id).exists()
    ):
        raise IntegrityConflict()
    queue = _resolve_work_queue(work_pool_name, work_queue_name)
    key = fields.get("idempotency_key")
    run = FlowRun(
        flow=flow,
        work_queue=queue,
        work_queue_name=work_queue_name,
        labels=_labels(flow, fields.get("deployment_id"), fields.pop("labels", None)),
        created_by=created_by,
        **fields,
    )
    if not run.name:
        run.name = random_run_name()
    if run.job_variables is None:
        run.job_variables = {}

    def same_key() -> FlowRun | None:
        return FlowRun.objects.filter(flow=flow, idempotency_key=key).first()

    existing = same_key if key is not None else None
    # The listeners of new runs look for what refers to the run by id (task-run events
    # parked for it). An id the server generates here was never seen outside this
    # transaction, so nothing can refer to it yet: only a run whose id was given is announced.
    announce = listeners.flow_run_created if fields.get("id") is not None else None
    return run_insert(
        FLOW_RUNS, run=run, existing=existing, state=state, call=call, inserted=announce
    )


def flow_run_update(*, run: FlowRun, changes: dict[str, Any]) -> None:
    """Write only the given fields. `name` null/empty means a fresh random name.

    Job variables may only change while the run is SCHEDULED, so the row is locked before
    its state is read and stays locked until the write: a concurrent transition cannot slip
    in between the check and the update.
    """
    if "name" in changes and not changes["name"]:
        changes["name"] = random_run_name()
    with transaction.atomic():
        locked = (
            FlowRun.objects.select_for_update()
            .only("id", "state_type", "deployment_id")
            .filter(pk=run.pk)
            .first()
        )
        if locked is None:
            raise DetailError(404, "Flow run not found")
        if changes.get("job_variables") is not None:
            _check_job_variables_update(locked, changes["job_variables"])
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(changes))


def _check_job_variables_update(run: FlowRun, job_variables: dict[str, Any]) -> None:
    """Job variables may only change while the run is SCHEDULED, and the deployment's
    variables overridden by the run's must satisfy its work pool's job template."""
    if run.state_type is None:
        raise DetailError(400, "Flow run state is required to update job variables but none exists")
    if run.state_type != StateType.SCHEDULED:
        raise DetailError(
            400, f"Job variables for a flow run in state {run.state_type} cannot be updated"
        )
    deployment = (
        Deployment.objects.select_related("work_queue__work_pool")
        .filter(pk=run.deployment_id)
        .first()
        if run.deployment_id is not None
        else None
    )
    if deployment is None:
        raise DetailError(400, "A deployment for the flow run could not be found")
    queue = deployment.work_queue
    template = queue.work_pool.base_job_template if queue is not None else None
    schema = (template or {}).get("variables")
    if isinstance(schema, dict) and schema:
        merged = {**(deployment.job_variables or {}), **job_variables}
        try:
            validate_run_input(merged, schema)
        except (RunInputInvalid, CircularSchema) as exc:
            reason = str(exc) or "Unable to validate schema with circular references."
            raise DetailError(422, f"Error updating flow run: {reason}") from exc


def flow_run_update_labels(*, run: FlowRun, labels: dict[str, Any]) -> None:
    """Shallow merge: given keys overwrite, nothing is removed."""
    with transaction.atomic():
        locked = FlowRun.objects.select_for_update().only("id", "labels").get(pk=run.pk)
        locked.labels = {**(locked.labels or {}), **labels}
        locked.save(update_fields=["labels"])
