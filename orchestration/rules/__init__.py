"""Every rule and transform, importable from one place for composing custom policies."""

from orchestration.rules.base import (
    ALL_STATES,
    SLOT_HOLDING_STATES,
    TERMINAL_STATES,
    Rule,
    StateTypes,
    Transform,
    state_types,
)
from orchestration.rules.bookkeeping import (
    Bookkeeping,
    IncrementFlowRunCount,
    IncrementRunTime,
    IncrementTaskRunCount,
    RemoveResumingIndicator,
    SetEndTime,
    SetExpectedStartTime,
    SetNextScheduledStartTime,
    SetRunStateName,
    SetRunStateTimestamp,
    SetRunStateType,
    SetStartTime,
    UpdateStateDetails,
    UpdateSubflowParentTask,
    UpdateSubflowStateDetails,
    UpdateTaskRunStateDetails,
)
from orchestration.rules.cancelling import (
    BypassCancellingFlowRunsWithNoInfra,
    EnforceCancellingToCancelledTransition,
)
from orchestration.rules.deployment_leases import (
    PreserveDeploymentConcurrencyLeaseId,
    RemoveDeploymentConcurrencyLeaseForOldClientVersions,
    ValidateDeploymentConcurrencyAtRunning,
)
from orchestration.rules.deployment_slots import (
    EnforceDeploymentConcurrencyOnLate,
    ReleaseFlowConcurrencySlots,
    SecureFlowConcurrencySlots,
)
from orchestration.rules.instrumentation import InstrumentFlowRunStateTransitions
from orchestration.rules.pausing import HandlePausingFlows, HandleResumingPausedFlows
from orchestration.rules.retries import RetryFailedFlows
from orchestration.rules.scheduling import (
    CopyScheduledTime,
    EnsureOnlyScheduledFlowsMarkedLate,
    WaitForScheduledTime,
)
from orchestration.rules.tasks import (
    HandleTaskTerminalStateTransitions,
    PreventRunningTasksFromStoppedFlows,
    RenameReruns,
    RetryFailedTasks,
    UpdateFlowRunTrackerOnTasks,
)
from orchestration.rules.terminal import HandleFlowTerminalStateTransitions, PreventResultDataLoss
from orchestration.rules.transitions import PreventDuplicateTransitions, PreventPendingTransitions

__all__ = [
    "ALL_STATES",
    "SLOT_HOLDING_STATES",
    "TERMINAL_STATES",
    "Bookkeeping",
    "BypassCancellingFlowRunsWithNoInfra",
    "CopyScheduledTime",
    "EnforceCancellingToCancelledTransition",
    "EnforceDeploymentConcurrencyOnLate",
    "EnsureOnlyScheduledFlowsMarkedLate",
    "HandleFlowTerminalStateTransitions",
    "HandlePausingFlows",
    "HandleResumingPausedFlows",
    "HandleTaskTerminalStateTransitions",
    "IncrementFlowRunCount",
    "IncrementRunTime",
    "IncrementTaskRunCount",
    "InstrumentFlowRunStateTransitions",
    "PreserveDeploymentConcurrencyLeaseId",
    "PreventDuplicateTransitions",
    "PreventPendingTransitions",
    "PreventResultDataLoss",
    "PreventRunningTasksFromStoppedFlows",
    "ReleaseFlowConcurrencySlots",
    "RemoveDeploymentConcurrencyLeaseForOldClientVersions",
    "RemoveResumingIndicator",
    "RenameReruns",
    "RetryFailedFlows",
    "RetryFailedTasks",
    "Rule",
    "SecureFlowConcurrencySlots",
    "SetEndTime",
    "SetExpectedStartTime",
    "SetNextScheduledStartTime",
    "SetRunStateName",
    "SetRunStateTimestamp",
    "SetRunStateType",
    "SetStartTime",
    "StateTypes",
    "Transform",
    "UpdateFlowRunTrackerOnTasks",
    "UpdateStateDetails",
    "UpdateSubflowParentTask",
    "UpdateSubflowStateDetails",
    "UpdateTaskRunStateDetails",
    "ValidateDeploymentConcurrencyAtRunning",
    "WaitForScheduledTime",
    "state_types",
]
