"""What rule hooks hand back to the engine.

`before_transition` returns a decision: `Accept` (optionally with an edited proposal),
`Reject` (a replacement state, or None to write nothing), `Wait` or `Abort`.
`after_transition` and `cleanup` return an `Update`. Every one of them may carry run-field
updates (`run`, keyed by RunFacts field name, whole values only) and effects: requests for
I/O the engine cannot do itself, which the service carries out in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

from orchestration.states import State

_NOTHING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Effect:
    """Base of the side-effect requests a hook can make."""


@dataclass(frozen=True)
class SyncParentTaskRun(Effect):
    """Force `state` onto the subflow's parent task run (G11).

    `state` is a fresh copy (new id) of the state written for the subflow, with
    `child_flow_run_id` pointing at the subflow. Apply it with the task force policy.
    """

    task_run_id: UUID
    state: State


@dataclass(frozen=True)
class ResetFailedTaskRuns(Effect):
    """Legacy clients (api-version < 0.8.3) only: force every FAILED task run of the flow
    run to `AwaitingRetry` with this scheduled time and reset its run_count to 0 (R15)."""

    flow_run_id: UUID
    scheduled_time: datetime


@dataclass(frozen=True, kw_only=True)
class Update:
    """Run-field updates and effects, with no say over the proposal."""

    run: Mapping[str, Any] = field(default_factory=lambda: _NOTHING)
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Accept(Update):
    """Let the transition proceed. `state`, if given, is the edited proposal: it must keep
    the proposal's type (renames and detail edits only; use `Reject` to change the type)."""

    state: State | None = None


@dataclass(frozen=True, kw_only=True)
class Reject(Update):
    """Refuse the proposal. With a `state`, that state is written instead; with None,
    nothing is written and the caller gets the run's current state back."""

    state: State | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class Wait(Update):
    """Write nothing; the client should retry the same proposal after `delay_seconds`."""

    delay_seconds: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class Abort(Update):
    """Write nothing; the client must stop (e.g. another worker already took the run)."""

    reason: str


Decision = Accept | Reject | Wait | Abort

ACCEPT = Accept()
NO_CHANGE = Update()
