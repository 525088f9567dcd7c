"""What a rule may look at: frozen facts about the run and its surroundings.

The service locks the run row, reads what the rules need, and builds one
`TransitionContext`. Rules never see the ORM; the only I/O they may do goes through
`ctx.slots`. The engine derives a new context after every step (the latest run facts and
the latest proposal), so each rule sees the effects of the ones before it, as in Prefect
where rules mutate the locked run row directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, Literal, TypeVar
from uuid import UUID

from orchestration.run_policy import FlowRunPolicy, TaskRunPolicy
from orchestration.slots import ConcurrencySlots, NoSlots
from orchestration.states import State, StateType
from orchestration.versions import ApiVersion, resets_task_runs_on_flow_retry, tracks_pauses


@dataclass(frozen=True, kw_only=True)
class RunFacts:
    """The columns flow runs and task runs share; bookkeeping keeps them current."""

    id: UUID
    run_count: int = 0
    start_time: datetime | None = None
    end_time: datetime | None = None
    expected_start_time: datetime | None = None
    next_scheduled_start_time: datetime | None = None
    total_run_time: timedelta = timedelta(0)
    state_type: StateType | None = None
    state_name: str | None = None
    state_timestamp: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class FlowRunFacts(RunFacts):
    """A flow run as the flow rules see it."""

    deployment_id: UUID | None = None
    parent_task_run_id: UUID | None = None
    infrastructure_pid: str | None = None
    empirical_policy: FlowRunPolicy = field(default_factory=FlowRunPolicy)
    # Not read by the shipped rules; there for rules users plug in (e.g. "frozen" runs).
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TaskRunFacts(RunFacts):
    """A task run as the task rules see it.

    `flow_run_run_count` is the flow run's `run_count` when this task last started; a task
    whose value is behind its flow's is being re-run by a flow retry.
    """

    flow_run_id: UUID | None = None
    flow_run_run_count: int = 0
    empirical_policy: TaskRunPolicy = field(default_factory=TaskRunPolicy)


@dataclass(frozen=True, kw_only=True)
class DeploymentFacts:
    """The run's deployment, for the deployment-concurrency rules.

    `exists=False` means the run names a deployment that is gone (R8 aborts).
    `active_slots` is only read when marking runs late (EnforceDeploymentConcurrencyOnLate).
    """

    exists: bool = True
    concurrency_limit: int | None = None
    collision_strategy: Literal["ENQUEUE", "CANCEL_NEW"] = "ENQUEUE"
    active_slots: int | None = None


@dataclass(frozen=True, kw_only=True)
class ParentFlowRunFacts:
    """The flow run a task run belongs to, for the task rules.

    `state_type` None means the flow run has no state yet. `pause_timeout` and
    `pause_reschedule` are those of its current (PAUSED) state.
    """

    id: UUID
    state_type: StateType | None
    run_count: int = 0
    pause_timeout: datetime | None = None
    pause_reschedule: bool = False


RunT = TypeVar("RunT", bound=RunFacts, covariant=True)


@dataclass(frozen=True, kw_only=True)
class TransitionContext(Generic[RunT]):
    """Everything one orchestration call decides on.

    `now` is the server clock for this request (UTC, aware); rules use it for deadlines and
    scheduled times, while states the engine creates take the proposal's timestamp.
    `deployment` is required whenever the run has a `deployment_id` and the policy acquires
    slots: None is read as "deployment not found". `flow_run` is for task policies only.
    In `after_transition`/`cleanup` hooks, `proposed_state` is the final proposal: the state
    about to be written, or None when nothing is written.
    """

    run: RunT
    initial_state: State | None
    proposed_state: State | None
    now: datetime
    api_version: ApiVersion | None = None
    client_version: str | None = None
    deployment: DeploymentFacts | None = None
    flow_run: ParentFlowRunFacts | None = None
    slots: ConcurrencySlots = field(default_factory=NoSlots)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("TransitionContext.now must be timezone-aware (UTC)")

    @property
    def initial_type(self) -> StateType | None:
        return None if self.initial_state is None else self.initial_state.type

    @property
    def proposed_type(self) -> StateType | None:
        return None if self.proposed_state is None else self.proposed_state.type

    @property
    def current(self) -> State:
        """The run's current state, for rules whose FROM_STATES exclude None."""
        if self.initial_state is None:
            raise ValueError("the run has no current state")
        return self.initial_state

    @property
    def proposal(self) -> State:
        """The proposal; always present while `before_transition` hooks run."""
        if self.proposed_state is None:
            raise ValueError("there is no proposed state")
        return self.proposed_state

    @property
    def tracks_pauses(self) -> bool:
        """Pause/resume metadata is reset and honoured (api-version absent or ≥ 0.8.4)."""
        return tracks_pauses(self.api_version)

    @property
    def resets_task_runs_on_retry(self) -> bool:
        """A flow retry must also reset failed task runs (legacy api-version < 0.8.3)."""
        return resets_task_runs_on_flow_retry(self.api_version)
