"""Cancellation cleanup (spec/services.md §4): one service, three parts, in this order.

1. Subflows (§4.2): a non-terminal subflow whose parent flow run is CANCELLED becomes CANCELLING
   when it has a deployment (its worker must stop the infrastructure; one already CANCELLING is
   left alone) and CANCELLED otherwise, forced (MinimalFlowPolicy), with "The parent flow run was
   cancelled.". Cancellation goes down one level per pass, as in Prefect.
2. Task runs (§4.1): the non-terminal task runs of flow runs CANCELLED in the last day are
   forced to CANCELLED with the same message (subflows cancelled just now included).
3. Stuck CANCELLING (§4.3): a run in CANCELLING for longer than
   PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_CANCELLING_TIMEOUT_SECONDS becomes CANCELLED
   under the normal policy (CoreFlowPolicy) with "Flow run cancellation timed out; marked this
   flow run as Cancelled.". One scan replaces Prefect's per-run timers; the state timestamp is
   the evidence, so nothing is lost across restarts.

Each part selects in SQL with keyset paging by id and re-checks every run under its lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from access.actors import acting_as, service_actor
from config.prefect_settings import parse_bool, parse_seconds, setting_read
from flowruns.models import FlowRun, TaskRun
from flowruns.services.orchestration_types import SetStateOutcome, StateProposal
from flowruns.services.states import flow_run_set_state_if, task_run_set_state_if
from orchestration.states import StateType

from ..conf import settings_cache
from ..sweep import SweepResult
from .passes import BATCH, after_id, pages, runs_each

NAME = "cancellation_cleanup"
PARENT_CANCELLED = "The parent flow run was cancelled."
TIMED_OUT = "Flow run cancellation timed out; marked this flow run as Cancelled."
# Task runs of runs cancelled longer ago than this are not revisited (Prefect's one day).
TASK_RUNS_WINDOW = timedelta(days=1)
CANCELLED = StateType.CANCELLED.value
CANCELLING = StateType.CANCELLING.value
OPEN = tuple(
    t.value
    for t in (
        StateType.SCHEDULED,
        StateType.PENDING,
        StateType.RUNNING,
        StateType.PAUSED,
        StateType.CANCELLING,
    )
)


@dataclass(frozen=True)
class CancellationCleanupSettings:
    enabled: bool
    interval: timedelta
    cancelling_timeout: timedelta


@settings_cache
def cancellation_cleanup_settings() -> CancellationCleanupSettings:
    prefix = "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_"
    alias = "PREFECT_API_SERVICES_CANCELLATION_CLEANUP_"
    return CancellationCleanupSettings(
        enabled=setting_read(f"{prefix}ENABLED", True, parse_bool, f"{alias}ENABLED"),
        interval=setting_read(
            f"{prefix}LOOP_SECONDS", timedelta(seconds=20), parse_seconds, f"{alias}LOOP_SECONDS"
        ),
        cancelling_timeout=setting_read(
            f"{prefix}CANCELLING_TIMEOUT_SECONDS", timedelta(seconds=300), parse_seconds
        ),
    )


# --- §4.2 subflows ------------------------------------------------------------------------


def _subflows_page(cursor: UUID | None) -> list[UUID]:
    orphaned = (
        FlowRun.objects.filter(
            parent_task_run__isnull=False,
            state_type__in=OPEN,
            parent_task_run__flow_run__state_type=CANCELLED,
        )
        # A deployed subflow already CANCELLING waits for its worker (or §4.3).
        .exclude(deployment_id__isnull=False, state_type=CANCELLING)
    )
    return list(after_id(orphaned, cursor).values_list("id", flat=True)[:BATCH])


def _parent_is_cancelled(parent_task_run_id: UUID) -> bool:
    parent = (
        TaskRun.objects.filter(pk=parent_task_run_id)
        .values_list("flow_run__state_type", flat=True)
        .first()
    )
    return parent == CANCELLED


def _is_orphaned_subflow(run: FlowRun) -> bool:
    parent_task_run_id = run.parent_task_run_id
    if run.state_type not in OPEN or parent_task_run_id is None:
        return False
    if run.deployment_id is not None and run.state_type == CANCELLING:
        return False
    return _parent_is_cancelled(parent_task_run_id)


def _subflow_cancel(run: FlowRun) -> StateProposal:
    target = CANCELLING if run.deployment_id is not None else CANCELLED
    return StateProposal(type=target, message=PARENT_CANCELLED)


def _cancel_subflow(run_id: UUID) -> SetStateOutcome | None:
    return flow_run_set_state_if(
        flow_run_id=run_id, still=_is_orphaned_subflow, state=_subflow_cancel, force=True
    )


# --- §4.1 task runs -----------------------------------------------------------------------


def _task_runs_page(since: datetime, cursor: UUID | None) -> list[UUID]:
    orphaned = TaskRun.objects.filter(
        state_type__in=OPEN,
        flow_run__state_type=CANCELLED,
        flow_run__end_time__gte=since,
    )
    return list(after_id(orphaned, cursor).values_list("id", flat=True)[:BATCH])


def _is_orphaned_task_run(task_run: TaskRun) -> bool:
    if task_run.state_type not in OPEN or task_run.flow_run_id is None:
        return False
    flow_run_state = (
        FlowRun.objects.filter(pk=task_run.flow_run_id).values_list("state_type", flat=True).first()
    )
    return flow_run_state == CANCELLED


def _cancel_task_run(task_run_id: UUID) -> SetStateOutcome | None:
    state = StateProposal(type=CANCELLED, message=PARENT_CANCELLED)
    return task_run_set_state_if(
        task_run_id=task_run_id, still=_is_orphaned_task_run, state=lambda run: state, force=True
    )


# --- §4.3 runs stuck in CANCELLING --------------------------------------------------------


def _stuck_page(cutoff: datetime, cursor: UUID | None) -> list[UUID]:
    stuck = FlowRun.objects.filter(state_type=CANCELLING, state_timestamp__lte=cutoff)
    return list(after_id(stuck, cursor).values_list("id", flat=True)[:BATCH])


def _is_stuck(run: FlowRun, cutoff: datetime) -> bool:
    stamp = run.state_timestamp
    return run.state_type == CANCELLING and stamp is not None and stamp <= cutoff


def _cancel_stuck(run_id: UUID, cutoff: datetime) -> SetStateOutcome | None:
    state = StateProposal(type=CANCELLED, message=TIMED_OUT)
    return flow_run_set_state_if(
        flow_run_id=run_id, still=lambda run: _is_stuck(run, cutoff), state=lambda run: state
    )


def sweep(now: datetime) -> SweepResult:
    """The three parts, each over everything due by `now`."""
    result = SweepResult()
    since = now - TASK_RUNS_WINDOW
    cutoff = now - cancellation_cleanup_settings().cancelling_timeout
    with acting_as(service_actor(NAME)):
        for run_ids in pages(_subflows_page):
            runs_each(result, run_ids, _cancel_subflow)
        for task_run_ids in pages(lambda cursor: _task_runs_page(since, cursor)):
            runs_each(result, task_run_ids, _cancel_task_run)
        for run_ids in pages(lambda cursor: _stuck_page(cutoff, cursor)):
            runs_each(result, run_ids, lambda run_id: _cancel_stuck(run_id, cutoff))
    return result
