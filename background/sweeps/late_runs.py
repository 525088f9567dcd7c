"""Late runs (spec/services.md §2): a run still `Scheduled` some time after its scheduled start
becomes SCHEDULED `Late`, so the UI shows it; workers still pick it up.

Selection: state type SCHEDULED, name exactly `Scheduled` (never AwaitingRetry,
AwaitingConcurrencySlot, Resuming or a custom name), `next_scheduled_start_time` at least
PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS ago, read along the partial index
`ix_flow_run__late_due` by (next_scheduled_start_time, id). Each run is re-checked under its lock
(name and threshold both: a run that turned AwaitingRetry meanwhile is left alone) and proposed
`Late` under ORCHESTRATION_LATE_RUNS_POLICY (MarkLateRunsPolicy), which also cancels the run of
a full CANCEL_NEW deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from access.actors import acting_as, service_actor
from config.prefect_settings import parse_bool, parse_seconds, setting_read
from flowruns.models import FlowRun
from flowruns.services.orchestration_types import SetStateOutcome, StateProposal
from flowruns.services.states import flow_run_set_state_if
from orchestration.states import StateType

from ..conf import settings_cache
from ..sweep import SweepResult
from .passes import BATCH, after_key, pages, runs_each

NAME = "late_runs"
POLICY = "ORCHESTRATION_LATE_RUNS_POLICY"
SCHEDULED = StateType.SCHEDULED.value


@dataclass(frozen=True)
class LateRunsSettings:
    enabled: bool
    interval: timedelta
    after: timedelta  # how long past its scheduled start a run may stay `Scheduled`


def _parse_seconds_or_zero(raw: str) -> timedelta:
    return timedelta(0) if float(raw) == 0 else parse_seconds(raw)


@settings_cache
def late_runs_settings() -> LateRunsSettings:
    prefix, alias = "PREFECT_SERVER_SERVICES_LATE_RUNS_", "PREFECT_API_SERVICES_LATE_RUNS_"
    return LateRunsSettings(
        enabled=setting_read(f"{prefix}ENABLED", True, parse_bool, f"{alias}ENABLED"),
        interval=setting_read(
            f"{prefix}LOOP_SECONDS", timedelta(seconds=5), parse_seconds, f"{alias}LOOP_SECONDS"
        ),
        after=setting_read(
            f"{prefix}AFTER_SECONDS",
            timedelta(seconds=15),
            _parse_seconds_or_zero,
            f"{alias}AFTER_SECONDS",
        ),
    )


def _page(cutoff: datetime, cursor: tuple[datetime, Any] | None) -> list[tuple[datetime, Any]]:
    due = FlowRun.objects.filter(
        state_type=SCHEDULED, state_name="Scheduled", next_scheduled_start_time__lte=cutoff
    )
    rows = after_key(due, "next_scheduled_start_time", cursor)
    return list(rows.values_list("next_scheduled_start_time", "id")[:BATCH])


def _is_due(run: FlowRun, cutoff: datetime) -> bool:
    scheduled = run.next_scheduled_start_time
    return (
        run.state_type == SCHEDULED
        and run.state_name == "Scheduled"
        and scheduled is not None
        and scheduled <= cutoff
    )


def _late(run: FlowRun) -> StateProposal:
    return StateProposal(
        type=SCHEDULED, name="Late", details={"scheduled_time": run.next_scheduled_start_time}
    )


def _mark_late(run_id: UUID, cutoff: datetime) -> SetStateOutcome | None:
    return flow_run_set_state_if(
        flow_run_id=run_id, still=lambda run: _is_due(run, cutoff), state=_late, policy=POLICY
    )


def sweep(now: datetime) -> SweepResult:
    """Mark every run due by `now` Late, page after page."""
    result = SweepResult()
    cutoff = now - late_runs_settings().after
    with acting_as(service_actor(NAME)):
        for rows in pages(lambda cursor: _page(cutoff, cursor)):
            run_ids = [run_id for _, run_id in rows]
            runs_each(result, run_ids, lambda run_id: _mark_late(run_id, cutoff))
    return result
