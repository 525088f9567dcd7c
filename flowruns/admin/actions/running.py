"""Proposing a state to each selected run and the outcome of each proposal."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from flowruns.errors import ObjectNotFound
from flowruns.services.orchestration_types import OrchestrationCall, SetStateOutcome, StateProposal
from flowruns.services.states import flow_run_set_state

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SelectedRun:
    id: UUID
    name: str
    state_type: str | None
    state_name: str | None

    @property
    def state_label(self) -> str:
        return self.state_name or (self.state_type or "no state").capitalize()


@dataclass(frozen=True)
class RunResult:
    run: SelectedRun
    outcome: SetStateOutcome | None
    error: str | None = None

    @property
    def status(self) -> str:
        return self.outcome.status if self.outcome is not None else "ERROR"

    @property
    def written(self) -> bool:
        """Did a state get written (the proposed one or a rule's replacement)?"""
        outcome = self.outcome
        return outcome is not None and (outcome.status == "ACCEPT" or bool(outcome.written))


def propose(
    runs: Sequence[SelectedRun], proposal: StateProposal, *, force: bool = False
) -> list[RunResult]:
    """Propose `proposal` to each run through the orchestration service."""
    results = []
    for run in runs:
        try:
            outcome = flow_run_set_state(
                flow_run_id=run.id, state=proposal, force=force, call=OrchestrationCall()
            )
        except ObjectNotFound:
            results.append(RunResult(run, None, "the run no longer exists"))
        except Exception as error:  # one failing run must not hide the others' outcomes
            logger.exception("admin action: set_state failed for flow run %s", run.id)
            results.append(RunResult(run, None, f"{type(error).__name__}: {error}"))
        else:
            results.append(RunResult(run, outcome))
    return results
