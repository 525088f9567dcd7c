"""Proposing a state for a flow run or a task run.

The named entry points of the one write path (`services.orchestrating`): the API, bulk
endpoints and admin actions call these; creation and resume use the path directly.
"""

from __future__ import annotations

from uuid import UUID

from .orchestrating import run_set_state
from .orchestration_types import OrchestrationCall, SetStateOutcome, StateProposal
from .run_kinds import FLOW_RUNS, TASK_RUNS


def flow_run_set_state(
    *,
    flow_run_id: UUID,
    state: StateProposal,
    force: bool = False,
    call: OrchestrationCall,
    policy: str | None = None,
) -> SetStateOutcome:
    """Propose `state` for a flow run under the configured flow policy (or its force policy,
    or the policy the setting named by `policy` holds, e.g. `ORCHESTRATION_LATE_RUNS_POLICY`).
    Raises ObjectNotFound when there is no such run."""
    return run_set_state(
        FLOW_RUNS, run_id=flow_run_id, state=state, force=force, call=call, policy=policy
    )


def task_run_set_state(
    *, task_run_id: UUID, state: StateProposal, force: bool = False, call: OrchestrationCall
) -> SetStateOutcome:
    """Propose `state` for a task run under the configured task policy (or its force policy).
    Raises ObjectNotFound when there is no such run."""
    return run_set_state(TASK_RUNS, run_id=task_run_id, state=state, force=force, call=call)
