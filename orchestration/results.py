"""What `orchestrate` hands back, and the error it raises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from orchestration.decisions import Effect, ResetFailedTaskRuns, SyncParentTaskRun
from orchestration.states import State


class ResponseStatus(StrEnum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    WAIT = "WAIT"
    ABORT = "ABORT"


class OrchestrationError(Exception):
    """A rule or transform raised. The single-run endpoints answer 500; bulk_set_state
    turns it into an ABORT entry whose reason is `str(error)`. The transaction must be
    rolled back: the run and slot store may have been half-updated."""

    def __init__(self, step: str, hook: str, error: BaseException | str) -> None:
        self.step, self.hook, self.error = step, hook, error
        detail = error if isinstance(error, str) else f"!{error!r}"
        super().__init__(f"Aborting orchestration due to error in {step}: {detail}")


@dataclass(frozen=True, kw_only=True)
class OrchestrationResult:
    """The outcome of one call.

    `state` is the state to write (None: write nothing and answer with the run's current
    state). `run_updates` holds the final value of every run field that changed, keyed by
    RunFacts field name — it can be non-empty when nothing is written. `effects` are the
    I/O requests the service must carry out in the same transaction.
    """

    status: ResponseStatus
    reason: str | None = None
    delay_seconds: int | None = None
    state: State | None = None
    run_updates: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    effects: tuple[Effect, ...] = ()

    @property
    def parent_task_run_sync(self) -> SyncParentTaskRun | None:
        """G11: the state to force onto a subflow's parent task run, if any."""
        return next((e for e in self.effects if isinstance(e, SyncParentTaskRun)), None)

    @property
    def sync_parent_task_run(self) -> bool:
        """Whether the service must update a subflow's parent task run (G11)."""
        return self.parent_task_run_sync is not None

    @property
    def reset_failed_task_runs_to(self) -> datetime | None:
        """R15, api-version < 0.8.3: the AwaitingRetry time for the failed task runs."""
        reset = next((e for e in self.effects if isinstance(e, ResetFailedTaskRuns)), None)
        return None if reset is None else reset.scheduled_time
