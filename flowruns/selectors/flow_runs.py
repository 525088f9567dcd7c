from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from flowruns.models import FlowRun, FlowRunState


def flow_runs_for_response() -> QuerySet[FlowRun]:
    """Everything a FlowRunResponse reads, in one query."""
    return FlowRun.objects.select_related("state", "work_queue__work_pool")


def flow_run_get(flow_run_id: UUID) -> FlowRun | None:
    return flow_runs_for_response().filter(pk=flow_run_id).first()


def flow_run_states(flow_run_id: UUID) -> QuerySet[FlowRunState]:
    return FlowRunState.objects.filter(flow_run_id=flow_run_id).order_by("timestamp")


def flow_run_state_get(state_id: UUID) -> FlowRunState | None:
    return FlowRunState.objects.filter(pk=state_id).first()
