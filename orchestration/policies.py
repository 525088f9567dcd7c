"""Policies: ordered tuples of rule and transform classes.

Order is priority: earlier rules decide first, and a rule that rejects makes the later
rules for that transition inapplicable. Every policy also names the bookkeeping policy
that runs after it. To plug in your own, subclass and recompose the tuple, then point the
settings' dotted path at it::

    class MyFlowPolicy(CoreFlowPolicy):
        rules = (*CoreFlowPolicy.rules[:3], ForbidFrozenRuns, *CoreFlowPolicy.rules[3:])

(Each shipped policy declares `rules` with the general tuple type so that such
subclasses type-check; an inferred fixed-length tuple would not accept a longer one.)
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeAlias

from orchestration.rules import (
    BypassCancellingFlowRunsWithNoInfra,
    CopyScheduledTime,
    EnforceCancellingToCancelledTransition,
    EnforceDeploymentConcurrencyOnLate,
    EnsureOnlyScheduledFlowsMarkedLate,
    HandleFlowTerminalStateTransitions,
    HandlePausingFlows,
    HandleResumingPausedFlows,
    HandleTaskTerminalStateTransitions,
    IncrementFlowRunCount,
    IncrementRunTime,
    IncrementTaskRunCount,
    InstrumentFlowRunStateTransitions,
    PreserveDeploymentConcurrencyLeaseId,
    PreventDuplicateTransitions,
    PreventPendingTransitions,
    PreventResultDataLoss,
    PreventRunningTasksFromStoppedFlows,
    ReleaseFlowConcurrencySlots,
    RemoveDeploymentConcurrencyLeaseForOldClientVersions,
    RemoveResumingIndicator,
    RenameReruns,
    RetryFailedFlows,
    RetryFailedTasks,
    Rule,
    SecureFlowConcurrencySlots,
    SetEndTime,
    SetExpectedStartTime,
    SetNextScheduledStartTime,
    SetRunStateName,
    SetRunStateTimestamp,
    SetRunStateType,
    SetStartTime,
    Transform,
    UpdateFlowRunTrackerOnTasks,
    UpdateStateDetails,
    UpdateSubflowParentTask,
    UpdateSubflowStateDetails,
    UpdateTaskRunStateDetails,
    ValidateDeploymentConcurrencyAtRunning,
    WaitForScheduledTime,
)

Step: TypeAlias = type[Rule[Any]] | type[Transform[Any]]


class Policy:
    """An ordered tuple of steps, plus the bookkeeping policy that follows it."""

    rules: ClassVar[tuple[Step, ...]] = ()
    bookkeeping: ClassVar[type[Policy] | None] = None


# The bookkeeping both kinds of run share (the columns of RunFacts), in order.
RUN_BOOKKEEPING: tuple[Step, ...] = (
    SetRunStateType,
    SetRunStateName,
    SetRunStateTimestamp,
    SetStartTime,
    SetEndTime,
    IncrementRunTime,
    SetExpectedStartTime,
    SetNextScheduledStartTime,
)


class GlobalFlowPolicy(Policy):
    """G2-G14 for flow runs; runs on every call, under force too."""

    rules: ClassVar[tuple[Step, ...]] = (
        *RUN_BOOKKEEPING,
        UpdateStateDetails,
        UpdateSubflowParentTask,
        UpdateSubflowStateDetails,
        IncrementFlowRunCount,
        RemoveResumingIndicator,
    )


class GlobalTaskPolicy(Policy):
    """The task-run bookkeeping: the shared transforms plus the task run count."""

    rules: ClassVar[tuple[Step, ...]] = (
        *RUN_BOOKKEEPING,
        UpdateTaskRunStateDetails,
        IncrementTaskRunCount,
    )


class FlowPolicy(Policy):
    """Base of flow-run policies: followed by the flow bookkeeping."""

    bookkeeping = GlobalFlowPolicy


class CoreFlowPolicy(FlowPolicy):
    """Every rule, for ordinary set_state / resume / bulk_set_state calls (R1-R17)."""

    rules: ClassVar[tuple[Step, ...]] = (
        PreserveDeploymentConcurrencyLeaseId,
        PreventDuplicateTransitions,
        HandleFlowTerminalStateTransitions,
        EnforceCancellingToCancelledTransition,
        BypassCancellingFlowRunsWithNoInfra,
        PreventPendingTransitions,
        ValidateDeploymentConcurrencyAtRunning,
        SecureFlowConcurrencySlots,
        RemoveDeploymentConcurrencyLeaseForOldClientVersions,
        EnsureOnlyScheduledFlowsMarkedLate,
        HandlePausingFlows,
        HandleResumingPausedFlows,
        CopyScheduledTime,
        WaitForScheduledTime,
        RetryFailedFlows,
        InstrumentFlowRunStateTransitions,
        ReleaseFlowConcurrencySlots,
    )


class MinimalFlowPolicy(FlowPolicy):
    """`force=true` and the initial state at creation: only what must hold even then —
    no lost results, no CANCELLING for runs without infrastructure, slots given back."""

    rules: ClassVar[tuple[Step, ...]] = (
        PreventResultDataLoss,
        BypassCancellingFlowRunsWithNoInfra,
        InstrumentFlowRunStateTransitions,
        ReleaseFlowConcurrencySlots,
    )


class MarkLateRunsPolicy(FlowPolicy):
    """For the late-runs sweep proposing `Late` states."""

    rules: ClassVar[tuple[Step, ...]] = (
        EnsureOnlyScheduledFlowsMarkedLate,
        EnforceDeploymentConcurrencyOnLate,
        InstrumentFlowRunStateTransitions,
    )


class TaskPolicy(Policy):
    """Base of task-run policies: followed by the task bookkeeping."""

    bookkeeping = GlobalTaskPolicy


class CoreTaskPolicy(TaskPolicy):
    """Task-run rules. Prefect's result caching and tag concurrency rules need tables this
    server does not have, so they are not part of it."""

    rules: ClassVar[tuple[Step, ...]] = (
        HandleTaskTerminalStateTransitions,
        PreventRunningTasksFromStoppedFlows,
        CopyScheduledTime,
        WaitForScheduledTime,
        RetryFailedTasks,
        RenameReruns,
        UpdateFlowRunTrackerOnTasks,
    )


class MinimalTaskPolicy(TaskPolicy):
    """`force=true` for task runs (and syncing a subflow's parent task): bookkeeping only."""

    rules: ClassVar[tuple[Step, ...]] = ()
