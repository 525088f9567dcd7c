"""Builders for pure orchestration tests, and a tiny stand-in for the service."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from orchestration import (
    CoreFlowPolicy,
    DeploymentFacts,
    FlowRunFacts,
    MinimalFlowPolicy,
    OrchestrationResult,
    Policy,
    State,
    StateType,
    TransitionContext,
    new_state,
    orchestrate,
)
from orchestration.slots import ConcurrencySlots, NoSlots

NOW = datetime(2026, 3, 4, 12, 0, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(minutes=1)
RUN_ID = UUID("00000000-0000-4000-8000-000000000001")
DEPLOYMENT_ID = UUID("00000000-0000-4000-8000-0000000000d1")
PARENT_TASK_RUN_ID = UUID("00000000-0000-4000-8000-0000000000a1")


def make_state(
    state_type: StateType,
    *,
    name: str | None = None,
    timestamp: datetime = EARLIER,
    message: str | None = None,
    data: Any = None,
    **details: Any,
) -> State:
    """A state as the service would hold it (current states default to a minute ago)."""
    return new_state(
        state_type, timestamp=timestamp, name=name, message=message, data=data, **details
    )


def proposal(state_type: StateType, **kwargs: Any) -> State:
    """A proposed state, stamped NOW."""
    return make_state(state_type, timestamp=NOW, **kwargs)


def flow_run(current: State | None = None, **overrides: Any) -> FlowRunFacts:
    """Run facts consistent with `current` (its type/name/timestamp denormalised)."""
    facts = FlowRunFacts(
        id=RUN_ID,
        state_type=None if current is None else current.type,
        state_name=None if current is None else current.name,
        state_timestamp=None if current is None else current.timestamp,
    )
    return dataclasses.replace(facts, **overrides)


def flow_ctx(
    current: State | None,
    proposed: State,
    *,
    run: FlowRunFacts | None = None,
    **kwargs: Any,
) -> TransitionContext[FlowRunFacts]:
    return TransitionContext(
        run=flow_run(current) if run is None else run,
        initial_state=current,
        proposed_state=proposed,
        now=NOW,
        **kwargs,
    )


def run_flow(
    current: State | None,
    proposed: State,
    *,
    policy: type[Policy] = CoreFlowPolicy,
    run: FlowRunFacts | None = None,
    **kwargs: Any,
) -> OrchestrationResult:
    return orchestrate(flow_ctx(current, proposed, run=run, **kwargs), policy)


class FlowRunSimulator:
    """Plays the service: keeps a run and its current state, applies every result the way
    `flow_run_set_state` must (write `result.state`, persist `result.run_updates`)."""

    def __init__(
        self,
        *,
        run: FlowRunFacts | None = None,
        slots: ConcurrencySlots | None = None,
        deployment: DeploymentFacts | None = None,
        now: datetime = NOW,
    ) -> None:
        self.run = flow_run() if run is None else run
        self.state: State | None = None
        self.history: list[State] = []
        self.slots: ConcurrencySlots = NoSlots() if slots is None else slots
        self.deployment = deployment
        self.now = now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def create(self, state_type: StateType, **kwargs: Any) -> OrchestrationResult:
        """The initial state at creation, applied with the force policy."""
        return self.propose(state_type, policy=MinimalFlowPolicy, **kwargs)

    def propose(
        self,
        state_type: StateType,
        *,
        policy: type[Policy] = CoreFlowPolicy,
        api_version: tuple[int, int, int] | None = None,
        client_version: str | None = None,
        **state_kwargs: Any,
    ) -> OrchestrationResult:
        if state_type is StateType.SCHEDULED:
            state_kwargs.setdefault("scheduled_time", self.now)
        proposed = new_state(state_type, timestamp=self.now, **state_kwargs)
        ctx = TransitionContext(
            run=self.run,
            initial_state=self.state,
            proposed_state=proposed,
            now=self.now,
            api_version=api_version,
            client_version=client_version,
            deployment=self.deployment,
            slots=self.slots,
        )
        result = orchestrate(ctx, policy)
        self.run = dataclasses.replace(self.run, **result.run_updates)
        if result.state is not None:
            self.state = result.state
            self.history.append(result.state)
        self.advance(1)  # the next call happens a second later
        return result
