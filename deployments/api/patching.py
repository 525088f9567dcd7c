"""PATCH /deployments/{id} (spec/deployments.md §5): decide the schedule changes, check the
pool, parameters and limit, then write through `deployment_update`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from concurrency.models import ConcurrencyLimitV2
from flowruns.errors import DetailError
from flowruns.models import Deployment
from flowruns.services.run_input.hydration import HydrationError, hydrate

from ..services.deployments import deployment_update
from ..services.flow_runs import NO_SCHEMA
from ..services.parameters import (
    CircularSchema,
    RunInputInvalid,
    job_variables_check,
    values_check,
)
from ..services.queues import deployment_queue_resolve, pool_get
from ..services.schedules import schedules_apply_targeted, schedules_replace
from . import schemas as s

COLUMNS = (
    "version",
    "description",
    "paused",
    "concurrency_limit",
    "concurrency_options",
    "parameters",
    "parameter_openapi_schema",
    "tags",
    "path",
    "job_variables",
    "pull_steps",
    "entrypoint",
    "storage_document_id",
    "infrastructure_document_id",
    "enforce_parameter_schema",
)
# Columns a null in the body does not clear (the row keeps a value).
NOT_NULL = {"paused", "parameters", "tags", "job_variables", "enforce_parameter_schema"}
SLUG_NEEDED = (
    "Please provide a slug for each schedule in your request to ensure schedules are "
    "updated correctly."
)


def _schedule_changes(
    deployment: Deployment, body: s.DeploymentUpdate
) -> Callable[[Deployment], None] | None:
    if "schedules" not in body.model_fields_set or body.schedules is None:
        return None
    items = []
    for item in body.schedules:
        row = item.model_dump(exclude={"schedule"})
        row["schedule"] = item.schedule.normalised() if item.schedule is not None else None
        items.append(row)
    existing = list(deployment.schedules.all())
    if existing and all(e.slug for e in existing):
        if not all(i.get("slug") for i in items):
            raise DetailError(422, SLUG_NEEDED)
        return lambda d: schedules_apply_targeted(deployment=d, schedules=items)
    return lambda d: schedules_replace(deployment=d, schedules=items)


def _check_parameters(
    deployment: Deployment, body: s.DeploymentUpdate, fields: dict[str, Any]
) -> None:
    present = body.model_fields_set
    if "parameters" in present and body.parameters is not None:
        try:
            fields["parameters"] = hydrate(body.parameters)
        except HydrationError as exc:
            raise DetailError(400, f"Error hydrating deployment parameters: {exc}") from exc
    enforce = body.enforce_parameter_schema
    if enforce is None:
        enforce = deployment.enforce_parameter_schema
    if not enforce:
        return
    schema = fields.get("parameter_openapi_schema", deployment.parameter_openapi_schema)
    parameters = fields.get("parameters", deployment.parameters or {})
    if not isinstance(schema, dict):
        raise DetailError(409, f"Error updating deployment: {NO_SCHEMA}")
    try:
        values_check(parameters, schema, required=False)
    except (RunInputInvalid, CircularSchema) as exc:
        raise DetailError(409, f"Error updating deployment: {exc}") from exc


def deployment_patch(
    deployment: Deployment, body: s.DeploymentUpdate, *, updated_by: dict[str, Any] | None
) -> None:
    present = body.model_fields_set
    changes = _schedule_changes(deployment, body)
    if body.work_pool_name is not None:
        pool = pool_get(body.work_pool_name)
        try:
            job_variables_check(body.job_variables or {}, pool.base_job_template, required=False)
        except (RunInputInvalid, CircularSchema) as exc:
            raise DetailError(409, f"Error creating deployment: {exc!r}") from exc
    fields = {
        k: getattr(body, k)
        for k in COLUMNS
        if k in present and not (k in NOT_NULL and getattr(body, k) is None)
    }
    if body.concurrency_options is not None:
        fields["concurrency_options"] = body.concurrency_options.model_dump()
    _check_parameters(deployment, body, fields)
    limit_id = body.global_concurrency_limit_id
    if limit_id is not None and not ConcurrencyLimitV2.objects.filter(pk=limit_id).exists():
        raise DetailError(404, "Concurrency limit not found")
    queue = None
    if body.work_pool_name is not None or body.work_queue_name is not None:
        queue = deployment_queue_resolve(
            work_pool_name=body.work_pool_name, work_queue_name=body.work_queue_name
        )
    deployment_update(
        deployment_id=deployment.id,
        fields=fields,
        queue=queue,
        clear_queue="work_pool_name" in present and body.work_pool_name is None,
        schedule_changes=changes,
        updated_by=updated_by,
    )
