"""`POST /deployments/{id}/create_flow_run` (spec §8.2): parameters merged and validated,
job variables checked against the pool, the queue resolved, then the run is created through
the flow-run create path (`flowruns.services.flow_runs.flow_run_create`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowruns.errors import DetailError
from flowruns.models import Deployment, FlowRun
from flowruns.services.flow_runs import flow_run_create
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.run_input.hydration import HydrationError, hydrate

from .parameters import CircularSchema, RunInputInvalid, job_variables_check, values_check
from .queues import work_queue_get_or_create

NO_SCHEMA = (
    "Cannot update parameters because parameter schema enforcement is enabled and the "
    "deployment does not have a valid parameter schema."
)


@dataclass(frozen=True)
class RunRequest:
    """A DeploymentFlowRunCreate body, as the service needs it."""

    state: StateProposal
    parameters: dict[str, Any]
    enforce_parameter_schema: bool | None
    work_queue_name: str | None
    job_variables: dict[str, Any] | None
    labels: dict[str, Any] | None
    fields: dict[str, Any]  # name, context, tags, idempotency_key, parent_task_run_id, ...


class ParametersInvalid(DetailError):
    """409 whose reason the bulk route reports per item."""

    def __init__(self, reason: str) -> None:
        super().__init__(409, f"Error creating flow run: {reason}")
        self.reason = reason


def _parameters(deployment: Deployment, request: RunRequest) -> dict[str, Any]:
    merged = {**(deployment.parameters or {}), **request.parameters}
    try:
        merged = hydrate(merged)
    except HydrationError as exc:
        raise DetailError(400, f"Error hydrating flow run parameters: {exc}") from exc
    enforce = request.enforce_parameter_schema
    if enforce is None:
        enforce = deployment.enforce_parameter_schema
    if enforce:
        schema = deployment.parameter_openapi_schema
        if not isinstance(schema, dict):
            raise DetailError(409, f"Error updating deployment: {NO_SCHEMA}")
        try:
            values_check(merged, schema, required=True)
        except CircularSchema as exc:
            raise DetailError(
                422, "Invalid schema: Unable to validate schema with circular references."
            ) from exc
        except RunInputInvalid as exc:
            raise ParametersInvalid(str(exc)) from exc
    return merged


def deployment_flow_run_create(
    *,
    deployment: Deployment,
    request: RunRequest,
    call: OrchestrationCall,
    created_by: dict[str, Any] | None = None,
) -> tuple[FlowRun, bool]:
    parameters = _parameters(deployment, request)
    queue = deployment.work_queue
    pool = queue.work_pool if queue is not None else None
    if pool is not None:
        variables = {**(deployment.job_variables or {}), **(request.job_variables or {})}
        try:
            job_variables_check(variables, pool.base_job_template, required=True)
        except (RunInputInvalid, CircularSchema) as exc:
            raise DetailError(422, f"Error creating flow run: {exc}") from exc
    queue_name = deployment.work_queue_name if queue is None else queue.name
    if request.work_queue_name is not None:
        if pool is None:
            raise DetailError(
                400,
                f"Cannot create flow run in work queue {request.work_queue_name} because "
                f"deployment {deployment.id} is not associated with a work pool. Please "
                "remove work_pool_name and try again.",
            )
        queue = work_queue_get_or_create(pool=pool, queue_name=request.work_queue_name)
        queue_name = queue.name
    tags = list(dict.fromkeys([*(deployment.tags or []), *request.fields.get("tags", [])]))
    infrastructure = request.fields.get("infrastructure_document_id")
    fields = {
        **request.fields,
        "tags": tags,
        "parameters": parameters,
        "deployment_id": deployment.id,
        "deployment_version": deployment.version,
        "infrastructure_document_id": infrastructure or deployment.infrastructure_document_id,
        "job_variables": request.job_variables or {},
        "labels": request.labels,
    }
    return flow_run_create(
        flow_id=deployment.flow_id,
        fields=fields,
        state=request.state,
        call=call,
        created_by=created_by,
        work_pool_name=pool.name if pool is not None and queue is not None else None,
        work_queue_name=queue_name,
    )
