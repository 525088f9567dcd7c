"""Flow-run criteria the operator's tools share (admin filters, `delete_flow_runs`), compiled
by the API's filter compiler from typed filter objects, so they select exactly what
`POST /api/flow_runs/filter` with the same criteria returns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.db.models import Q

from flowruns.filters.compile import flow_run_filter_q
from flowruns.filters.schemas import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterEndTime,
    FlowRunFilterExpectedStartTime,
)


def as_uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def flow_names_q(names: Sequence[str]) -> Q:
    """Runs of any of these flows."""
    return flow_run_filter_q(flows=FlowFilter(name=FlowFilterName(any_=list(names))))


def deployment_q(value: str) -> Q:
    """Runs of a deployment given as its id, its name, or `flow-name/deployment-name`
    (deployment names are unique per flow only, so a bare name may match several)."""
    deployment_id = as_uuid(value)
    if deployment_id is not None:
        by_id = FlowRunFilterDeploymentId(any_=[deployment_id])
        return flow_run_filter_q(flow_runs=FlowRunFilter(deployment_id=by_id))
    flow_name, _, deployment_name = value.rpartition("/")
    q = flow_run_filter_q(
        deployments=DeploymentFilter(name=DeploymentFilterName(any_=[deployment_name]))
    )
    if flow_name:
        q &= flow_names_q([flow_name])
    return q


def ended_before_q(cutoff: datetime) -> Q:
    """A run's age is its end time, or its expected start time when it never ended (a run
    cancelled while scheduled, a crashed run without an end). Runs with neither are never
    selected by age."""
    ended = FlowRunFilter(end_time=FlowRunFilterEndTime(before_=cutoff))
    never_ended = FlowRunFilter(
        end_time=FlowRunFilterEndTime(is_null_=True),
        expected_start_time=FlowRunFilterExpectedStartTime(before_=cutoff),
    )
    return flow_run_filter_q(flow_runs=ended) | flow_run_filter_q(flow_runs=never_ended)
