"""Rules for task runs (CoreTaskPolicy); they read the enclosing flow run via `ctx.flow_run`."""

from __future__ import annotations

from datetime import timedelta

from orchestration.context import TaskRunFacts, TransitionContext
from orchestration.decisions import ACCEPT, NO_CHANGE, Abort, Accept, Decision, Reject, Update
from orchestration.rules.base import ALL_STATES, TERMINAL_STATES, Rule, state_types
from orchestration.rules.retries import awaiting_retry
from orchestration.states import State, StateType, has_persisted_data, new_state

NOT_RUNNING = "The enclosing flow must be running to begin task execution."


class HandleTaskTerminalStateTransitions(Rule[TaskRunFacts]):
    """A finished task cannot be paused, cancelled or crash again. A COMPLETED task whose
    result was persisted stays COMPLETED, so a retried flow reuses it instead of redoing
    the work. Any other task leaving a terminal state for a non-terminal one starts over:
    its run_count is reset so its own retries work again, and when the cause is a flow
    retry (the flow's run_count moved past the one the task last ran under) the new
    RUNNING state is named `Retrying`. `cleanup` restores the run_count."""

    FROM_STATES = TERMINAL_STATES
    TO_STATES = ALL_STATES

    def __init__(self) -> None:
        self.original_run_count: int | None = None

    def before_transition(self, ctx: TransitionContext[TaskRunFacts]) -> Decision:
        current, proposal, run = ctx.current, ctx.proposal, ctx.run
        self.original_run_count = run.run_count
        if proposal.type in {StateType.CANCELLING, StateType.PAUSED, StateType.CRASHED}:
            return Abort(reason=f"Run is already {current.type.value}.")
        if current.type is StateType.COMPLETED and has_persisted_data(current.data):
            return Reject(state=None, reason="This run is already completed.")
        if proposal.is_terminal:
            return ACCEPT
        edited: State | None = None
        flow_run = ctx.flow_run
        if (
            proposal.type is StateType.RUNNING
            and run.flow_run_id is not None
            and flow_run is not None
            and run.flow_run_run_count < flow_run.run_count
        ):
            edited = proposal.renamed("Retrying")
        return Accept(state=edited, run={"run_count": 0})

    def cleanup(self, ctx: TransitionContext[TaskRunFacts]) -> Update:
        if self.original_run_count is None:
            return NO_CHANGE
        return Update(run={"run_count": self.original_run_count})


class PreventRunningTasksFromStoppedFlows(Rule[TaskRunFacts]):
    """A task only runs inside a running flow. While the flow is paused, a task that tries
    to start is parked as PAUSED `NotReady` (with the flow's pause deadline) so it starts
    after the resume; in any other flow state the task runner is told to abort."""

    FROM_STATES = ALL_STATES
    TO_STATES = state_types(StateType.RUNNING)

    def before_transition(self, ctx: TransitionContext[TaskRunFacts]) -> Decision:
        flow_run = ctx.flow_run
        if flow_run is None or flow_run.state_type is StateType.RUNNING:
            return ACCEPT
        if flow_run.state_type is StateType.PAUSED:
            not_ready = new_state(
                StateType.PAUSED,
                name="NotReady",
                timestamp=ctx.proposal.timestamp,
                pause_timeout=flow_run.pause_timeout,
                pause_reschedule=flow_run.pause_reschedule,
            )
            return Reject(
                state=not_ready,
                reason=(
                    "The flow is paused, new tasks can execute after resuming flow run: "
                    f"{flow_run.id}."
                ),
            )
        return Abort(reason=NOT_RUNNING)


class RetryFailedTasks(Rule[TaskRunFacts]):
    """A task that fails with retries left is sent to `AwaitingRetry` instead, unless the
    client marked the failure as not retriable (`retriable: false`). The delay may differ
    per attempt (`retry_delay` as a list). Prefect adds random jitter when
    `retry_jitter_factor` is set; this engine does not, so waits are deterministic."""

    FROM_STATES = state_types(StateType.RUNNING)
    TO_STATES = state_types(StateType.FAILED)

    def before_transition(self, ctx: TransitionContext[TaskRunFacts]) -> Decision:
        run, proposal = ctx.run, ctx.proposal
        policy = run.empirical_policy
        if proposal.detail("retriable") is False:
            return ACCEPT
        if policy.retries is None or run.run_count > policy.retries:
            return ACCEPT
        delay = policy.delay_for_attempt(run.run_count)
        retry_state = awaiting_retry(proposal, ctx.now + timedelta(seconds=delay))
        return Reject(state=retry_state, reason="Retrying")


class RenameReruns(Rule[TaskRunFacts]):
    """A task that already ran starts again as `Retrying` (after AwaitingRetry) or
    `Rerunning` (anything else), so its history reads as what happened."""

    FROM_STATES = ALL_STATES
    TO_STATES = state_types(StateType.RUNNING)

    def before_transition(self, ctx: TransitionContext[TaskRunFacts]) -> Decision:
        if ctx.initial_state is None or ctx.run.run_count <= 0:
            return ACCEPT
        name = "Retrying" if ctx.initial_state.name == "AwaitingRetry" else "Rerunning"
        return Accept(state=ctx.proposal.renamed(name))


class UpdateFlowRunTrackerOnTasks(Rule[TaskRunFacts]):
    """Once a task starts, remember which flow attempt it ran under (the flow's run_count),
    so a later flow retry can be told apart from a plain re-run."""

    FROM_STATES = ALL_STATES
    TO_STATES = state_types(StateType.RUNNING)

    def after_transition(self, ctx: TransitionContext[TaskRunFacts]) -> Update:
        if ctx.run.flow_run_id is None or ctx.flow_run is None:
            return NO_CHANGE
        return Update(run={"flow_run_run_count": ctx.flow_run.run_count})
