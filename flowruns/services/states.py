"""The single write path for flow-run states.

`flow_run_set_state` locks the run row, builds the engine's context from it, runs the policy,
writes the resulting state row and the run's denormalised fields, and performs the side
effects the engine asked for — all in one transaction. The API, bulk endpoints, admin actions
and management commands all come through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flowruns.errors import ObjectNotFound
from flowruns.models import Deployment, FlowRun, FlowRunState, TaskRun
from orchestration.context import DeploymentFacts, FlowRunFacts, TransitionContext
from orchestration.decisions import ResetFailedTaskRuns, SyncParentTaskRun
from orchestration.engine import orchestrate
from orchestration.loading import load_policy
from orchestration.run_policy import FlowRunPolicy
from orchestration.states import State, StateType, new_state

from .concurrency import DatabaseSlots
from .orchestrating import lock_run_with_state, persist_result, unique_timestamp
from .state_codec import state_from_row

ApiVersion = tuple[int, int, int]


@dataclass(frozen=True)
class OrchestrationCall:
    """Who is asking: the API version header and the client's package version."""

    api_version: ApiVersion | None = None
    client_version: str | None = None


@dataclass(frozen=True)
class StateProposal:
    """A state someone proposes; the server assigns its id and timestamp."""

    type: str
    name: str | None = None
    message: str | None = None
    data: Any = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class SetStateOutcome:
    status: str
    reason: str | None
    delay_seconds: int | None
    state: State | None
    written: bool
    # /resume reports its own input rejections as REJECT with *abort* details, as Prefect does.
    details_type: str | None = None


def proposed_state(
    state_type: str,
    *,
    name: str | None = None,
    message: str | None = None,
    data: Any = None,
    details: dict[str, Any] | None = None,
    timestamp: datetime,
) -> State:
    """A client's proposal as an engine State: server id, server timestamp."""
    details = dict(details or {})
    stype = StateType(state_type)
    if stype is StateType.SCHEDULED and details.get("scheduled_time") is None:
        details["scheduled_time"] = timestamp
    return new_state(stype, timestamp=timestamp, name=name, message=message, data=data, **details)


def _run_facts(run: FlowRun) -> FlowRunFacts:
    return FlowRunFacts(
        id=run.pk,
        deployment_id=run.deployment_id,
        parent_task_run_id=run.parent_task_run_id,
        infrastructure_pid=run.infrastructure_pid,
        empirical_policy=FlowRunPolicy.from_json(run.empirical_policy),
        tags=tuple(run.tags or ()),
        run_count=run.run_count,
        start_time=run.start_time,
        end_time=run.end_time,
        expected_start_time=run.expected_start_time,
        next_scheduled_start_time=run.next_scheduled_start_time,
        total_run_time=timedelta(seconds=run.total_run_time or 0.0),
        state_type=StateType(run.state_type) if run.state_type else None,
        state_name=run.state_name,
        state_timestamp=run.state_timestamp,
    )


def _deployment_facts(run: FlowRun) -> DeploymentFacts | None:
    if run.deployment_id is None:
        return None
    deployment = (
        Deployment.objects.filter(pk=run.deployment_id)
        .only("id", "concurrency_limit", "collision_strategy")
        .first()
    )
    if deployment is None:
        return DeploymentFacts(exists=False, concurrency_limit=None, collision_strategy="ENQUEUE")
    return DeploymentFacts(
        exists=True,
        concurrency_limit=deployment.concurrency_limit,
        collision_strategy=(
            "CANCEL_NEW"
            if deployment.collision_strategy == Deployment.CollisionStrategy.CANCEL_NEW
            else "ENQUEUE"
        ),
    )


def orchestrate_locked(
    run: FlowRun, proposed: StateProposal, *, policy_path: str, call: OrchestrationCall
) -> SetStateOutcome:
    """Run the policy against a locked run and write the outcome."""
    now = timezone.now()
    timestamp = unique_timestamp(FlowRunState, "flow_run", run, now)
    proposal = proposed_state(
        proposed.type,
        name=proposed.name,
        message=proposed.message,
        data=proposed.data,
        details=proposed.details,
        timestamp=timestamp,
    )
    current = state_from_row(run.state) if run.state is not None else None
    context = TransitionContext(
        run=_run_facts(run),
        initial_state=current,
        proposed_state=proposal,
        now=now,
        api_version=call.api_version,
        client_version=call.client_version,
        deployment=_deployment_facts(run),
        slots=DatabaseSlots(),
    )
    result = orchestrate(context, load_policy(policy_path))
    persist_result(FlowRunState, "flow_run", run, result)
    for effect in result.effects:
        if isinstance(effect, SyncParentTaskRun):
            _sync_parent_task_run(effect)
        elif isinstance(effect, ResetFailedTaskRuns):
            _reset_failed_task_runs(effect)
    response_state = result.state if result.state is not None else current
    return SetStateOutcome(
        status=result.status.value,
        reason=result.reason,
        delay_seconds=result.delay_seconds,
        state=response_state,
        written=result.state is not None,
    )


def _sync_parent_task_run(effect: SyncParentTaskRun) -> None:
    """G11: the subflow's placeholder task run in the parent follows the subflow's state."""
    from .task_run_states import task_run_write_forced

    task_run_write_forced(task_run_id=effect.task_run_id, state=effect.state)


def _reset_failed_task_runs(effect: ResetFailedTaskRuns) -> None:
    """Legacy clients (API < 0.8.3): a flow retry also re-schedules its failed task runs."""
    from .task_run_states import task_run_write_forced

    failed = TaskRun.objects.filter(
        flow_run_id=effect.flow_run_id, state_type=StateType.FAILED.value
    )
    for task_run_id in failed.values_list("id", flat=True):
        state = new_state(
            StateType.SCHEDULED,
            timestamp=timezone.now(),
            name="AwaitingRetry",
            scheduled_time=effect.scheduled_time,
        )
        task_run_write_forced(task_run_id=task_run_id, state=state, reset_run_count=True)


def lock_flow_run(flow_run_id: UUID) -> FlowRun | None:
    """The run, locked, with its current state (see `lock_run_with_state`)."""
    run: FlowRun | None = lock_run_with_state(FlowRun, FlowRunState, flow_run_id)
    return run


def _lock_run(flow_run_id: UUID) -> FlowRun:
    run = lock_flow_run(flow_run_id)
    if run is None:
        raise ObjectNotFound(f"Flow run with id {flow_run_id} not found")
    return run


def flow_run_set_state(
    *, flow_run_id: UUID, state: StateProposal, force: bool = False, call: OrchestrationCall
) -> SetStateOutcome:
    """Propose `state` for a run under the configured policy (or the force policy)."""
    policy = (
        settings.ORCHESTRATION_FORCE_FLOW_POLICY if force else settings.ORCHESTRATION_FLOW_POLICY
    )
    with transaction.atomic():
        run = _lock_run(flow_run_id)
        return orchestrate_locked(run, state, policy_path=policy, call=call)


def flow_run_orchestrate_initial(
    *, run: FlowRun, proposed: StateProposal, call: OrchestrationCall
) -> None:
    """The initial state of a freshly inserted run, under the force policy (spec §8.4)."""
    orchestrate_locked(
        run, proposed, policy_path=settings.ORCHESTRATION_FORCE_FLOW_POLICY, call=call
    )
