"""Zombie flow runs (spec/services.md §6.2; Prefect OSS has no such service): a RUNNING run
whose client stopped sending heartbeats is marked CRASHED under the normal policy
(CoreFlowPolicy, not forced), which releases its deployment slot like any terminal state.

* Heartbeats stopped: `last_heartbeat` (the server's receive time of the run's latest
  `prefect.flow-run.heartbeat`) is set, later than the run's current state (so the run's last
  word was a heartbeat, not a state change), and older than ZOMBIE_FLOW_RUNS_AFTER_SECONDS, or
  than three beats of the run's own cadence when that is longer (`silence_allowed`, checked
  under the lock). Message: "Flow run marked as crashed due to missing heartbeats."
  (Prefect's automation's).
* No heartbeats at all (clients that do not send them): only when
  ZOMBIE_FLOW_RUNS_MAX_RUNTIME_SECONDS is set, a run RUNNING for longer than that with no
  heartbeat since it entered RUNNING, read along the partial index of RUNNING runs by state
  timestamp. The message names the limit.

`ZOMBIE_FLOW_RUNS_ENABLED=false` restores Prefect's behaviour (nothing is crashed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import F, Q

from access.actors import acting_as, service_actor
from config.prefect_settings import parse_bool, parse_seconds, setting_read
from flowruns.models import FlowRun
from flowruns.services.orchestration_types import StateProposal
from flowruns.services.states import flow_run_set_state_if
from orchestration.states import StateType

from ..conf import settings_cache
from ..sweep import SweepResult
from .passes import BATCH, after_id, after_key, pages, runs_each

NAME = "zombie_flow_runs"
MISSING_HEARTBEATS = "Flow run marked as crashed due to missing heartbeats."
RUNNING = StateType.RUNNING.value


@dataclass(frozen=True)
class ZombieFlowRunsSettings:
    enabled: bool
    interval: timedelta
    after: timedelta  # heartbeat silence after which a run is a zombie
    max_runtime: timedelta | None  # for runs that never beat; None: never crashed for it


@settings_cache
def zombie_flow_runs_settings() -> ZombieFlowRunsSettings:
    return ZombieFlowRunsSettings(
        enabled=setting_read("ZOMBIE_FLOW_RUNS_ENABLED", True, parse_bool),
        interval=setting_read(
            "ZOMBIE_FLOW_RUNS_LOOP_SECONDS", timedelta(seconds=30), parse_seconds
        ),
        after=setting_read("ZOMBIE_FLOW_RUNS_AFTER_SECONDS", timedelta(seconds=540), parse_seconds),
        max_runtime=setting_read("ZOMBIE_FLOW_RUNS_MAX_RUNTIME_SECONDS", None, parse_seconds),
    )


def max_runtime_message(limit: timedelta) -> str:
    seconds = limit.total_seconds()
    shown = f"{seconds:g}"
    return (
        "Flow run marked as crashed: it ran longer than the configured maximum runtime "
        f"({shown} s) without sending heartbeats."
    )


# --- heartbeats stopped -------------------------------------------------------------------

_SILENT = Q(
    state_type=RUNNING, last_heartbeat__isnull=False, last_heartbeat__gt=F("state_timestamp")
)


def _silent_page(cutoff: datetime, cursor: UUID | None) -> list[UUID]:
    silent = FlowRun.objects.filter(_SILENT, last_heartbeat__lt=cutoff)
    return list(after_id(silent, cursor).values_list("id", flat=True)[:BATCH])


def silence_allowed(run: FlowRun, after: timedelta) -> timedelta:
    """The setting, or three beats of the run's own cadence when that is longer. The cadence
    is the gap between its last two heartbeats, counted only when both came in its current
    state (a gap spanning a suspension or a retry says nothing about the client's clock)."""
    beat, previous, stamp = run.last_heartbeat, run.previous_heartbeat, run.state_timestamp
    if beat is None or previous is None or stamp is None or not stamp < previous < beat:
        return after
    return max(after, 3 * (beat - previous))


def _is_silent(run: FlowRun, now: datetime, after: timedelta) -> bool:
    beat, stamp = run.last_heartbeat, run.state_timestamp
    return (
        run.state_type == RUNNING
        and beat is not None
        and stamp is not None
        and stamp < beat < now - silence_allowed(run, after)
    )


# --- never beat, ran too long ------------------------------------------------------------

_NEVER_BEAT = Q(last_heartbeat__isnull=True) | Q(last_heartbeat__lte=F("state_timestamp"))


def _overdue_page(cutoff: datetime, cursor: tuple[datetime, UUID] | None) -> list[Any]:
    overdue = FlowRun.objects.filter(_NEVER_BEAT, state_type=RUNNING, state_timestamp__lte=cutoff)
    rows = after_key(overdue, "state_timestamp", cursor)
    return list(rows.values_list("state_timestamp", "id")[:BATCH])


def _is_overdue(run: FlowRun, cutoff: datetime) -> bool:
    beat, stamp = run.last_heartbeat, run.state_timestamp
    return (
        run.state_type == RUNNING
        and stamp is not None
        and stamp <= cutoff
        and (beat is None or beat <= stamp)
    )


def _crash(run_id: UUID, still: Callable[[FlowRun], bool], message: str) -> Any:
    state = StateProposal(type=StateType.CRASHED.value, name="Crashed", message=message)
    return flow_run_set_state_if(flow_run_id=run_id, still=still, state=lambda run: state)


def _crash_silent(run_id: UUID, now: datetime, after: timedelta) -> Any:
    return _crash(run_id, lambda run: _is_silent(run, now, after), MISSING_HEARTBEATS)


def _crash_overdue(run_id: UUID, cutoff: datetime, message: str) -> Any:
    return _crash(run_id, lambda run: _is_overdue(run, cutoff), message)


def sweep(now: datetime) -> SweepResult:
    """Crash every run that is a zombie by `now`."""
    result = SweepResult()
    config = zombie_flow_runs_settings()
    silent_cutoff = now - config.after
    with acting_as(service_actor(NAME)):
        for run_ids in pages(lambda cursor: _silent_page(silent_cutoff, cursor)):
            runs_each(result, run_ids, lambda run_id: _crash_silent(run_id, now, config.after))
        if config.max_runtime is not None:
            message = max_runtime_message(config.max_runtime)
            overdue_cutoff = now - config.max_runtime
            for rows in pages(lambda cursor: _overdue_page(overdue_cutoff, cursor)):
                run_ids = [run_id for _, run_id in rows]
                runs_each(
                    result, run_ids, lambda run_id: _crash_overdue(run_id, overdue_cutoff, message)
                )
    return result
