"""Proposing a state for a flow run or a task run.

The named entry points of the one write path (`services.orchestrating`): the API, bulk
endpoints and admin actions call these; creation and resume use the path directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from .orchestrating import run_set_state, run_set_state_if
from .orchestration_types import OrchestrationCall, SetStateOutcome, StateProposal
from .run_kinds import FLOW_RUNS, TASK_RUNS


def flow_run_set_state(
    *, flow_run_id: UUID, state: StateProposal, force: bool = False, call: OrchestrationCall
) -> SetStateOutcome:
    """Propose `state` for a flow run under the configured flow policy (or its force policy).
    Raises ObjectNotFound when there is no such run."""
    return run_set_state(FLOW_RUNS, run_id=flow_run_id, state=state, force=force, call=call)


def task_run_set_state(
    *, task_run_id: UUID, state: StateProposal, force: bool = False, call: OrchestrationCall
) -> SetStateOutcome:
    """Propose `state` for a task run under the configured task policy (or its force policy).
    Raises ObjectNotFound when there is no such run."""
    return run_set_state(TASK_RUNS, run_id=task_run_id, state=state, force=force, call=call)


def flow_run_set_state_if(
    *,
    flow_run_id: UUID,
    still: Callable[[Any], bool],
    state: Callable[[Any], StateProposal],
    force: bool = False,
    policy: str | None = None,
) -> SetStateOutcome | None:
    """The background services' proposal: skip a run another transaction holds, re-check
    `still(run)` under the lock, then propose `state(run)` (`orchestrating.run_set_state_if`)
    under the flow policy, its force policy, or the one the setting named by `policy` holds
    (`ORCHESTRATION_LATE_RUNS_POLICY`)."""
    return run_set_state_if(
        FLOW_RUNS, run_id=flow_run_id, still=still, state=state, force=force, policy=policy
    )


def task_run_set_state_if(
    *,
    task_run_id: UUID,
    still: Callable[[Any], bool],
    state: Callable[[Any], StateProposal],
    force: bool = False,
) -> SetStateOutcome | None:
    """`flow_run_set_state_if` for a task run."""
    return run_set_state_if(TASK_RUNS, run_id=task_run_id, still=still, state=state, force=force)
