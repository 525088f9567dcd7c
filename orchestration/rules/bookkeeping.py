"""Bookkeeping transforms (orchestration.md §3.2, G2-G14): keep the run's denormalised
columns and the new state's references in step with what is actually written.

They run after the policy's rules, so they see the final proposal — a replacement such as
AwaitingRetry rather than the FAILED the client sent — and do nothing when nothing will be
written. G1 (making the timestamp unique per run) is not here: the service does it before
calling the engine, because it needs the database.
"""

from __future__ import annotations

import dataclasses

from orchestration.context import FlowRunFacts, RunFacts, TaskRunFacts, TransitionContext
from orchestration.decisions import ACCEPT, NO_CHANGE, Accept, SyncParentTaskRun, Update
from orchestration.ids import uuid7
from orchestration.rules.base import RunC, Transform
from orchestration.states import State, StateType


class Bookkeeping(Transform[RunC]):
    """A transform that only acts on a proposal that will be written."""

    def before_transition(self, ctx: TransitionContext[RunC]) -> Accept:
        if ctx.proposed_state is None:
            return ACCEPT
        return self.record(ctx, ctx.proposed_state)

    def record(self, ctx: TransitionContext[RunC], proposed: State) -> Accept:
        raise NotImplementedError


class SetRunStateType(Bookkeeping[RunFacts]):
    """G2. The run's `state_type` column mirrors its current state (for filtering)."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        return Accept(run={"state_type": proposed.type})


class SetRunStateName(Bookkeeping[RunFacts]):
    """G3."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        return Accept(run={"state_name": proposed.name})


class SetRunStateTimestamp(Bookkeeping[RunFacts]):
    """G4."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        return Accept(run={"state_timestamp": proposed.timestamp})


class SetStartTime(Bookkeeping[RunFacts]):
    """G5. `start_time` is when the run first started; later attempts do not move it."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        if proposed.type is StateType.RUNNING and ctx.run.start_time is None:
            return Accept(run={"start_time": proposed.timestamp})
        return ACCEPT


class SetEndTime(Bookkeeping[RunFacts]):
    """G6. `end_time` is set on the first terminal state (a run that never ran gets the
    same `start_time`), kept across terminal → terminal corrections, and cleared when the
    run leaves a terminal state to run again."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        run, current = ctx.run, ctx.initial_state
        if current is not None and current.is_terminal and not proposed.is_terminal:
            return Accept(run={"end_time": None})
        if proposed.is_terminal and run.end_time is None:
            updates = {"end_time": proposed.timestamp}
            if run.start_time is None:
                updates["start_time"] = proposed.timestamp
            return Accept(run=updates)
        return ACCEPT


class IncrementRunTime(Bookkeeping[RunFacts]):
    """G7. `total_run_time` accumulates the time spent in RUNNING, attempt after attempt."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        current = ctx.initial_state
        if current is None or current.type is not StateType.RUNNING:
            return ACCEPT
        elapsed = proposed.timestamp - current.timestamp
        return Accept(run={"total_run_time": ctx.run.total_run_time + elapsed})


class SetExpectedStartTime(Bookkeeping[RunFacts]):
    """G8. The first state fixes when the run was expected to start: its scheduled time if
    SCHEDULED, else the moment it was created. Lateness is measured against this."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        if ctx.run.expected_start_time is not None:
            return ACCEPT
        if proposed.type is StateType.SCHEDULED:
            return Accept(run={"expected_start_time": proposed.detail("scheduled_time")})
        return Accept(run={"expected_start_time": proposed.timestamp})


class SetNextScheduledStartTime(Bookkeeping[RunFacts]):
    """G9. `next_scheduled_start_time` is the scheduled time while the run is SCHEDULED
    (the late-runs sweep and workers query it) and empty otherwise."""

    def record(self, ctx: TransitionContext[RunFacts], proposed: State) -> Accept:
        if proposed.type is StateType.SCHEDULED:
            return Accept(run={"next_scheduled_start_time": proposed.detail("scheduled_time")})
        if ctx.initial_type is StateType.SCHEDULED:
            return Accept(run={"next_scheduled_start_time": None})
        return ACCEPT


class UpdateStateDetails(Bookkeeping[FlowRunFacts]):
    """G10. Every flow-run state names its run, whatever the client sent."""

    def record(self, ctx: TransitionContext[FlowRunFacts], proposed: State) -> Accept:
        return Accept(state=proposed.with_details(flow_run_id=ctx.run.id))


class UpdateSubflowParentTask(Transform[FlowRunFacts]):
    """G11. A subflow is mirrored by a task run in its parent flow; that task follows every
    state the subflow writes. Writing to the task run is I/O, so this asks the service to
    do it (SyncParentTaskRun) with a copy of the written state that points at the subflow."""

    def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        written, parent_id = ctx.proposed_state, ctx.run.parent_task_run_id
        if written is None or parent_id is None:
            return NO_CHANGE
        copy = dataclasses.replace(written, id=uuid7()).with_details(child_flow_run_id=ctx.run.id)
        return Update(effects=(SyncParentTaskRun(task_run_id=parent_id, state=copy),))


class UpdateSubflowStateDetails(Bookkeeping[FlowRunFacts]):
    """G12. A subflow's states point back at the parent's task run that tracks it."""

    def record(self, ctx: TransitionContext[FlowRunFacts], proposed: State) -> Accept:
        if ctx.run.parent_task_run_id is None:
            return ACCEPT
        return Accept(state=proposed.with_details(task_run_id=ctx.run.parent_task_run_id))


class IncrementFlowRunCount(Bookkeeping[FlowRunFacts]):
    """G13. `run_count` counts attempts: every RUNNING adds one, except the RUNNING that
    resumes a pause the run is flagged as resuming from (api-version ≥ 0.8.4)."""

    def record(self, ctx: TransitionContext[FlowRunFacts], proposed: State) -> Accept:
        if proposed.type is not StateType.RUNNING:
            return ACCEPT
        if ctx.tracks_pauses and ctx.run.empirical_policy.resuming:
            return ACCEPT
        return Accept(run={"run_count": ctx.run.run_count + 1})


class RemoveResumingIndicator(Bookkeeping[FlowRunFacts]):
    """G14. The resuming flag covers one resume only: it is cleared by the next RUNNING or
    terminal state (api-version ≥ 0.8.4)."""

    def record(self, ctx: TransitionContext[FlowRunFacts], proposed: State) -> Accept:
        policy = ctx.run.empirical_policy
        if not ctx.tracks_pauses or not policy.resuming:
            return ACCEPT
        if proposed.type is StateType.RUNNING or proposed.is_terminal:
            return Accept(run={"empirical_policy": dataclasses.replace(policy, resuming=False)})
        return ACCEPT


class UpdateTaskRunStateDetails(Bookkeeping[TaskRunFacts]):
    """G10 for task runs: the state names both its task run and that task's flow run."""

    def record(self, ctx: TransitionContext[TaskRunFacts], proposed: State) -> Accept:
        run = ctx.run
        return Accept(state=proposed.with_details(flow_run_id=run.flow_run_id, task_run_id=run.id))


class IncrementTaskRunCount(Bookkeeping[TaskRunFacts]):
    """G13 for task runs: every RUNNING is a new attempt (tasks are never resumed)."""

    def record(self, ctx: TransitionContext[TaskRunFacts], proposed: State) -> Accept:
        if proposed.type is StateType.RUNNING:
            return Accept(run={"run_count": ctx.run.run_count + 1})
        return ACCEPT
