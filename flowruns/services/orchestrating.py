"""The one write path for run states, flow runs and task runs alike.

Lock the run row, read its current state through the locked row, make the proposal's
timestamp unique for the run (G1), build the engine's context, run the configured policy,
write the state row and the run fields the engine changed (`services.state_writes`), tell the
kind's listeners (`services.listeners`), and carry out the effects it asked for, all in the
caller's transaction. Only what a `RunKind` says differs between flow runs and task runs;
`services.states` holds the named entry points.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from flowruns.errors import ObjectNotFound
from flowruns.models import TaskRun
from flowruns.selectors.prepared import PreparedInstances
from orchestration.context import TransitionContext
from orchestration.decisions import Effect, ResetFailedTaskRuns, SyncParentTaskRun
from orchestration.engine import OrchestrationResult, orchestrate
from orchestration.states import State, StateType, new_state

from .orchestration_types import OrchestrationCall, SetStateOutcome, StateProposal, proposed_state
from .policies import policy_for
from .row_writes import row_insert_deferred
from .run_kinds import TASK_RUNS, RunKind
from .state_codec import state_from_row
from .state_writes import run_record_state


class _RunReads:
    """The two reads of `run_lock` for one kind, compiled once (`selectors.prepared`)."""

    def __init__(self, kind: RunKind) -> None:
        runs = kind.run_model._default_manager
        states = kind.state_model._default_manager
        self.locked_run = PreparedInstances(
            kind.run_model, lambda key: runs.select_for_update().filter(pk=key)
        )
        self.claimed_run = PreparedInstances(
            kind.run_model, lambda key: runs.select_for_update(skip_locked=True).filter(pk=key)
        )
        self.state = PreparedInstances(kind.state_model, lambda key: states.filter(pk=key))


_RUN_READS: dict[str, _RunReads] = {}


def _run_reads(kind: RunKind) -> _RunReads:
    reads = _RUN_READS.get(kind.noun)
    if reads is None:
        reads = _RUN_READS[kind.noun] = _RunReads(kind)
    return reads


def run_lock(kind: RunKind, run_id: UUID, *, skip_locked: bool = False) -> Any:
    """The run, locked, with its current state; None when there is no such run (or, with
    `skip_locked`, when another transaction holds its lock: SKIP LOCKED on PostgreSQL).

    Never join the state into the locking query: when PostgreSQL re-reads a row after
    waiting for its lock, only the locked row is refreshed, and a joined state would be the
    one current *before* the wait — the winner's transition would be invisible (fifty
    workers claiming one run all succeeded that way until the race tests caught it).
    """
    reads = _run_reads(kind)
    run: Any = (reads.claimed_run if skip_locked else reads.locked_run).first(run_id)
    if run is not None:
        state_id = run.state_id
        run.state = reads.state.first(state_id) if state_id else None
    return run


def unique_timestamp(kind: RunKind, run: Any, now: datetime) -> datetime:
    """G1: two states of one run may not share a timestamp; bump by 1 µs until free.

    The run row is locked and every state write comes through here, so only a proposal at or
    before the current state's timestamp can collide.
    """
    timestamp = now
    if run.state_timestamp is not None and timestamp <= run.state_timestamp:
        states = kind.state_model._default_manager.filter(**{f"{kind.run_field}_id": run.pk})
        while states.filter(timestamp=timestamp).exists():
            timestamp += timedelta(microseconds=1)
    return timestamp


def run_set_state(
    kind: RunKind, *, run_id: UUID, state: StateProposal, force: bool, call: OrchestrationCall
) -> SetStateOutcome:
    """Propose `state` for a run under its kind's policy (or force policy), in one transaction."""
    with transaction.atomic():
        run = run_lock(kind, run_id)
        if run is None:
            raise ObjectNotFound(f"{kind.label} with id {run_id} not found")
        return run_orchestrate_locked(kind, run, state, force=force, call=call)


def run_set_state_if(
    kind: RunKind,
    *,
    run_id: UUID,
    still: Callable[[Any], bool],
    state: Callable[[Any], StateProposal],
    force: bool,
    policy: str | None = None,
) -> SetStateOutcome | None:
    """For sweeps over runs chosen earlier: in one transaction, lock the run unless someone
    else holds it (SKIP LOCKED), and propose `state(run)` only if `still(run)` — the reason it
    was chosen — holds for the run as it is now, under the lock. None when the run is gone,
    busy, or no longer qualifies: nothing was proposed."""
    with transaction.atomic():
        run = run_lock(kind, run_id, skip_locked=True)
        if run is None or not still(run):
            return None
        proposal = state(run)
        return run_orchestrate_locked(
            kind, run, proposal, force=force, call=OrchestrationCall(), policy=policy
        )


def run_orchestrate_locked(
    kind: RunKind,
    run: Any,
    proposed: StateProposal,
    *,
    force: bool,
    call: OrchestrationCall,
    policy: str | None = None,
) -> SetStateOutcome:
    """Propose `proposed` for a run the caller has locked (or has just inserted). `policy`
    names another policy setting (`policies.POLICY_SETTINGS`) to use instead of the kind's."""
    now = timezone.now()
    proposal = proposed_state(
        proposed.type,
        name=proposed.name,
        message=proposed.message,
        data=proposed.data,
        details=proposed.details,
        timestamp=unique_timestamp(kind, run, now),
    )
    setting = policy or kind.policy_setting_for(force=force)
    return _orchestrate(kind, run, proposal, policy=setting, call=call, now=now)


def run_force_state(kind: RunKind, *, run_id: UUID, state: State) -> bool:
    """Force a ready-made engine state onto a run (under the caller's transaction); False
    when there is no such run."""
    run = run_lock(kind, run_id)
    if run is None:
        return False
    proposal = dataclasses.replace(state, timestamp=unique_timestamp(kind, run, state.timestamp))
    setting = kind.policy_setting_for(force=True)
    _orchestrate(kind, run, proposal, policy=setting, call=OrchestrationCall(), now=timezone.now())
    return True


def _orchestrate(
    kind: RunKind,
    run: Any,
    proposal: State,
    *,
    policy: str,
    call: OrchestrationCall,
    now: datetime,
) -> SetStateOutcome:
    current = state_from_row(run.state) if run.state is not None else None
    surroundings = kind.surroundings(run)
    context = TransitionContext(
        run=kind.run_facts(run),
        initial_state=current,
        proposed_state=proposal,
        now=now,
        api_version=call.api_version,
        client_version=call.client_version,
        deployment=surroundings.deployment,
        flow_run=surroundings.flow_run,
        slots=surroundings.slots,
    )
    result = orchestrate(context, policy_for(policy))
    _persist(kind, run, current, result)
    for effect in result.effects:
        _carry_out(effect)
    return SetStateOutcome(
        status=result.status.value,
        reason=result.reason,
        delay_seconds=result.delay_seconds,
        state=result.state if result.state is not None else current,
        written=result.state is not None,
    )


def _column_value(value: Any) -> Any:
    if isinstance(value, StateType):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "as_json"):
        return value.as_json()
    return value


def _persist(kind: RunKind, run: Any, current: State | None, result: OrchestrationResult) -> None:
    """Write the state the engine decided on (`services.state_writes`, the one state write)
    with the run fields it changed, then tell the kind's listeners (a flow run's state
    becomes a `prefect.flow-run.<name>` event in this transaction)."""
    updates = {field: _column_value(value) for field, value in result.run_updates.items()}
    if result.state is None:
        if updates:
            for field, value in updates.items():
                setattr(run, field, value)
            if not row_insert_deferred(run):  # else its INSERT carries them
                run.save(update_fields=sorted(updates))
        return
    if not run_record_state(kind, run, result.state, make_current=True, run_updates=updates):
        # Fresh v7 ids and G1-unique timestamps never collide; if one did, say so.
        raise IntegrityError(f"{kind.label} state {result.state.id} was already written")
    kind.state_written(run, current, result.state)


def _carry_out(effect: Effect) -> None:
    if isinstance(effect, SyncParentTaskRun):
        # G11: the subflow's placeholder task run in the parent follows the subflow's state.
        run_force_state(TASK_RUNS, run_id=effect.task_run_id, state=effect.state)
    elif isinstance(effect, ResetFailedTaskRuns):
        _reset_failed_task_runs(effect)


def _reset_failed_task_runs(effect: ResetFailedTaskRuns) -> None:
    """Legacy clients (API < 0.8.3): a flow retry also re-schedules its failed task runs."""
    failed = TaskRun.objects.filter(
        flow_run_id=effect.flow_run_id, state_type=StateType.FAILED.value
    )
    for task_run_id in failed.values_list("id", flat=True):
        state = new_state(
            StateType.SCHEDULED,
            timestamp=timezone.now(),
            name="AwaitingRetry",
            scheduled_time=effect.scheduled_time,
        )
        if run_force_state(TASK_RUNS, run_id=task_run_id, state=state):
            TaskRun.objects.filter(pk=task_run_id).update(run_count=0, updated=timezone.now())
