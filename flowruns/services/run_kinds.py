"""The two kinds of run the one write path serves, and what each tells the engine.

A `RunKind` names the run and state models, the policy settings, how to build the facts the
rules of that kind read — the run's own columns, and its surroundings: the deployment and the
slot store for a flow run, the flow run it belongs to for a task run — and whom to tell of a
state written for it (`services.listeners`: a flow run's states become events).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import models

from flowruns.models import (
    Deployment,
    DeploymentConcurrencyLease,
    FlowRun,
    FlowRunState,
    TaskRun,
    TaskRunState,
)
from orchestration.context import (
    DeploymentFacts,
    FlowRunFacts,
    ParentFlowRunFacts,
    RunFacts,
    TaskRunFacts,
)
from orchestration.run_policy import FlowRunPolicy, TaskRunPolicy
from orchestration.slots import ConcurrencySlots, NoSlots
from orchestration.states import State, StateType

from . import listeners
from .concurrency import DatabaseSlots
from .state_codec import details_from_json


@dataclass(frozen=True)
class Surroundings:
    """What the rules may read besides the run itself."""

    deployment: DeploymentFacts | None = None
    flow_run: ParentFlowRunFacts | None = None
    slots: ConcurrencySlots = field(default_factory=NoSlots)


@dataclass(frozen=True)
class RunKind:
    noun: str  # "flow run": names the run in messages, its state rows' key and its settings
    run_model: type[models.Model]
    state_model: type[models.Model]
    run_facts: Callable[[Any], RunFacts]
    surroundings: Callable[[Any], Surroundings]
    # Told of every state the write path makes current: (run, previous, state).
    state_written: Callable[[Any, State | None, State], None]

    @property
    def label(self) -> str:
        return self.noun.capitalize()  # "Flow run"

    @property
    def run_field(self) -> str:
        return self.noun.replace(" ", "_")  # the state row's foreign key to its run

    @property
    def policy_settings(self) -> tuple[str, str]:
        """The settings naming its policy and its force policy."""
        kind = self.noun.split()[0].upper()
        return f"ORCHESTRATION_{kind}_POLICY", f"ORCHESTRATION_FORCE_{kind}_POLICY"

    def policy_setting_for(self, *, force: bool) -> str:
        policy, force_policy = self.policy_settings
        return force_policy if force else policy


def _run_columns(run: FlowRun | TaskRun) -> dict[str, Any]:
    """The RunFacts fields both kinds of run keep in the same columns."""
    return {
        "id": run.pk,
        "run_count": run.run_count,
        "start_time": run.start_time,
        "end_time": run.end_time,
        "expected_start_time": run.expected_start_time,
        "next_scheduled_start_time": run.next_scheduled_start_time,
        "total_run_time": timedelta(seconds=run.total_run_time or 0.0),
        "state_type": StateType(run.state_type) if run.state_type else None,
        "state_name": run.state_name,
        "state_timestamp": run.state_timestamp,
    }


def _flow_run_facts(run: FlowRun) -> FlowRunFacts:
    return FlowRunFacts(
        **_run_columns(run),
        deployment_id=run.deployment_id,
        parent_task_run_id=run.parent_task_run_id,
        infrastructure_pid=run.infrastructure_pid,
        empirical_policy=FlowRunPolicy.from_json(run.empirical_policy),
        tags=tuple(run.tags or ()),
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
    cancel_new = deployment.collision_strategy == Deployment.CollisionStrategy.CANCEL_NEW
    # Slots in use, read only by the late-run rule (EnforceDeploymentConcurrencyOnLate) for a
    # full CANCEL_NEW limit; counting them (one indexed COUNT) is skipped for everything else.
    active = None
    if cancel_new and deployment.concurrency_limit is not None:
        active = DeploymentConcurrencyLease.objects.filter(deployment_id=deployment.pk).count()
    return DeploymentFacts(
        exists=True,
        concurrency_limit=deployment.concurrency_limit,
        collision_strategy="CANCEL_NEW" if cancel_new else "ENQUEUE",
        active_slots=active,
    )


def _flow_run_surroundings(run: FlowRun) -> Surroundings:
    return Surroundings(deployment=_deployment_facts(run), slots=DatabaseSlots())


def _task_run_facts(task_run: TaskRun) -> TaskRunFacts:
    return TaskRunFacts(
        **_run_columns(task_run),
        flow_run_id=task_run.flow_run_id,
        flow_run_run_count=task_run.flow_run_run_count,
        empirical_policy=TaskRunPolicy.from_json(task_run.empirical_policy),
    )


def _parent_flow_run_facts(flow_run_id: UUID | None) -> ParentFlowRunFacts | None:
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


def _task_run_surroundings(task_run: TaskRun) -> Surroundings:
    return Surroundings(flow_run=_parent_flow_run_facts(task_run.flow_run_id))


FLOW_RUNS = RunKind("flow run", FlowRun, FlowRunState, _flow_run_facts, _flow_run_surroundings,
                    listeners.flow_run_state_written)  # fmt: skip
TASK_RUNS = RunKind("task run", TaskRun, TaskRunState, _task_run_facts, _task_run_surroundings,
                    listeners.task_run_state_written)  # fmt: skip
