from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.conf import settings
from pydantic import BaseModel, ConfigDict, RootModel, field_validator

from .bounds import IndexedText, Tags
from .flows import Labels
from .policy import FlowRunPolicyIn
from .states import StateCreate


def check_parameter_size(parameters: dict[str, Any]) -> dict[str, Any]:
    limit = settings.PREFECT_MAX_PARAMETER_SIZE
    if limit > 0 and parameters:
        size = len(json.dumps(parameters, separators=(",", ":"), default=str))
        if size > limit:
            raise ValueError(
                f"Flow run parameters must be less than {limit:,} bytes when serialized "
                f"(got {size:,} bytes)."
            )
    return parameters


class FlowRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: StateCreate | None = None
    name: IndexedText | None = None
    flow_id: UUID
    flow_version: IndexedText | None = None
    parameters: dict[str, Any] = {}
    context: dict[str, Any] = {}
    parent_task_run_id: UUID | None = None
    infrastructure_document_id: UUID | None = None
    empirical_policy: FlowRunPolicyIn = FlowRunPolicyIn()
    tags: Tags = []
    labels: Labels | None = {}
    idempotency_key: IndexedText | None = None
    work_pool_name: IndexedText | None = None
    work_queue_name: IndexedText | None = None
    job_variables: dict[str, Any] | None = None
    deployment_id: UUID | None = None

    _check_parameters = field_validator("parameters")(check_parameter_size)

    def stored_fields(self) -> dict[str, Any]:
        """The run's own columns (the flow, state, pool and queue are passed apart)."""
        fields = self.model_dump(
            include={
                "name",
                "flow_version",
                "parameters",
                "context",
                "parent_task_run_id",
                "infrastructure_document_id",
                "tags",
                "labels",
                "idempotency_key",
                "job_variables",
                "deployment_id",
            }
        )
        fields["empirical_policy"] = self.empirical_policy.stored()
        return fields


class FlowRunUpdate(BaseModel):
    """Only the keys present in the body are written (`model_fields_set`)."""

    model_config = ConfigDict(extra="forbid")

    name: IndexedText | None = None
    flow_version: IndexedText | None = None
    parameters: dict[str, Any] = {}
    empirical_policy: FlowRunPolicyIn = FlowRunPolicyIn()
    tags: Tags = []
    infrastructure_pid: str | None = None
    job_variables: dict[str, Any] | None = None

    _check_parameters = field_validator("parameters")(check_parameter_size)


class LabelsBody(RootModel[Labels]):
    """`PATCH /flow_runs/{id}/labels`: a free-form object of labels, merged into the run's."""
