"""The single write path for task-run states (the task policy, through the same engine)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flowruns.errors import ObjectNotFound
from flowruns.models import FlowRun, TaskRun, TaskRunState
from orchestration.context import ParentFlowRunFacts, TaskRunFacts, TransitionContext
from orchestration.engine import orchestrate
from orchestration.loading import load_policy
from orchestration.run_policy import TaskRunPolicy
from orchestration.states import State, StateType

from .orchestrating import lock_run_with_state, persist_result, unique_timestamp
from .state_codec import details_from_json, state_from_row
from .states import OrchestrationCall, SetStateOutcome, StateProposal, proposed_state


def _task_facts(task_run: TaskRun) -> TaskRunFacts:
    return TaskRunFacts(
        id=task_run.pk,
        flow_run_id=task_run.flow_run_id,
        flow_run_run_count=task_run.flow_run_run_count,
        empirical_policy=TaskRunPolicy.from_json(task_run.empirical_policy),
        run_count=task_run.run_count,
        start_time=task_run.start_time,
        end_time=task_run.end_time,
        expected_start_time=task_run.expected_start_time,
        next_scheduled_start_time=task_run.next_scheduled_start_time,
        total_run_time=timedelta(seconds=task_run.total_run_time or 0.0),
        state_type=StateType(task_run.state_type) if task_run.state_type else None,
        state_name=task_run.state_name,
        state_timestamp=task_run.state_timestamp,
    )


def _flow_run_facts(flow_run_id: UUID | None) -> ParentFlowRunFacts | None:
    if flow_run_id is None:
        return None
    flow_run = FlowRun.objects.select_related("state").filter(pk=flow_run_id).first()
    if flow_run is None:
        return None
    details = details_from_json(flow_run.state.state_details if flow_run.state else None)
    return ParentFlowRunFacts(
        id=flow_run.pk,
        state_type=StateType(flow_run.state_type) if flow_run.state_type else None,
        run_count=flow_run.run_count,
        pause_timeout=details.get("pause_timeout"),
        pause_reschedule=bool(details.get("pause_reschedule")),
    )


def _run_policy(
    task_run: TaskRun, proposal: State, policy_path: str, call: OrchestrationCall
) -> SetStateOutcome:
    current = state_from_row(task_run.state) if task_run.state is not None else None
    context = TransitionContext(
        run=_task_facts(task_run),
        initial_state=current,
        proposed_state=proposal,
        now=timezone.now(),
        api_version=call.api_version,
        client_version=call.client_version,
        flow_run=_flow_run_facts(task_run.flow_run_id),
    )
    result = orchestrate(context, load_policy(policy_path))
    persist_result(TaskRunState, "task_run", task_run, result)
    return SetStateOutcome(
        status=result.status.value,
        reason=result.reason,
        delay_seconds=result.delay_seconds,
        state=result.state if result.state is not None else current,
        written=result.state is not None,
    )


def _lock_task_run(task_run_id: UUID) -> TaskRun | None:
    task_run: TaskRun | None = lock_run_with_state(TaskRun, TaskRunState, task_run_id)
    return task_run


def task_run_set_state(
    *, task_run_id: UUID, state: StateProposal, force: bool = False, call: OrchestrationCall
) -> SetStateOutcome:
    policy = (
        settings.ORCHESTRATION_FORCE_TASK_POLICY if force else settings.ORCHESTRATION_TASK_POLICY
    )
    with transaction.atomic():
        task_run = _lock_task_run(task_run_id)
        if task_run is None:
            raise ObjectNotFound(f"Task run with id {task_run_id} not found")
        timestamp = unique_timestamp(TaskRunState, "task_run", task_run, timezone.now())
        proposal = proposed_state(
            state.type,
            name=state.name,
            message=state.message,
            data=state.data,
            details=state.details,
            timestamp=timestamp,
        )
        return _run_policy(task_run, proposal, policy, call)


def task_run_orchestrate_initial(
    *, task_run: TaskRun, state: StateProposal, call: OrchestrationCall
) -> None:
    timestamp = unique_timestamp(TaskRunState, "task_run", task_run, timezone.now())
    proposal = proposed_state(
        state.type, name=state.name, message=state.message, data=state.data,
        details=state.details, timestamp=timestamp,
    )  # fmt: skip
    _run_policy(task_run, proposal, settings.ORCHESTRATION_FORCE_TASK_POLICY, call)


def task_run_write_forced(
    *, task_run_id: UUID, state: State, reset_run_count: bool = False
) -> None:
    """Force a ready-made state onto a task run (subflow sync, legacy retry reset)."""
    task_run = _lock_task_run(task_run_id)
    if task_run is None:
        return
    timestamp = unique_timestamp(TaskRunState, "task_run", task_run, state.timestamp)
    proposal = dataclasses.replace(state, timestamp=timestamp)
    _run_policy(task_run, proposal, settings.ORCHESTRATION_FORCE_TASK_POLICY, OrchestrationCall())
    if reset_run_count:
        TaskRun.objects.filter(pk=task_run.pk).update(run_count=0, updated=timezone.now())
