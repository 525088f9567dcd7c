from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from flowruns.models import FlowRun, FlowRunState

from .flow_run_rows import SELECTED, FlowRunRow
from .prepared import PreparedRows


def flow_runs_for_response() -> QuerySet[FlowRun]:
    """Everything a FlowRunResponse reads, in one query."""
    return FlowRun.objects.select_related("state", "work_queue__work_pool")


def flow_run_get(flow_run_id: UUID) -> FlowRun | None:
    return flow_runs_for_response().filter(pk=flow_run_id).first()


_FLOW_RUN_ROW = PreparedRows(
    lambda key: FlowRun.objects.filter(pk=key).values_list(*SELECTED), FlowRun._meta.pk
)


def flow_run_row_get(flow_run_id: UUID) -> FlowRunRow | None:
    """Everything a FlowRunResponse reads, as a light row (one prepared statement): the
    hot path of reading a run by id."""
    rows = _FLOW_RUN_ROW.rows(flow_run_id)
    return FlowRunRow(rows[0]) if rows else None


def flow_run_states(flow_run_id: UUID) -> QuerySet[FlowRunState]:
    return FlowRunState.objects.filter(flow_run_id=flow_run_id).order_by("timestamp")


def flow_run_state_get(state_id: UUID) -> FlowRunState | None:
    return FlowRunState.objects.filter(pk=state_id).first()
