"""The shipped policies, composing custom ones, and loading them by dotted path."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration import (
    CoreFlowPolicy,
    CoreTaskPolicy,
    GlobalFlowPolicy,
    GlobalTaskPolicy,
    MinimalFlowPolicy,
    MinimalTaskPolicy,
    PolicyLoadError,
    ResponseStatus,
    StateType,
    load_policy,
)
from orchestration import rules as r
from tests.orchestration.custom_policy_example import (
    ForbidRunningOnTheThirdAttempt,
    TwoAttemptsPolicy,
)
from tests.orchestration.helpers import NOW, FlowRunSimulator, make_state, proposal, run_flow

S = StateType


def test_core_flow_policy_runs_r1_to_r17_in_order() -> None:
    assert CoreFlowPolicy.rules == (
        r.PreserveDeploymentConcurrencyLeaseId,
        r.PreventDuplicateTransitions,
        r.HandleFlowTerminalStateTransitions,
        r.EnforceCancellingToCancelledTransition,
        r.BypassCancellingFlowRunsWithNoInfra,
        r.PreventPendingTransitions,
        r.ValidateDeploymentConcurrencyAtRunning,
        r.SecureFlowConcurrencySlots,
        r.RemoveDeploymentConcurrencyLeaseForOldClientVersions,
        r.EnsureOnlyScheduledFlowsMarkedLate,
        r.HandlePausingFlows,
        r.HandleResumingPausedFlows,
        r.CopyScheduledTime,
        r.WaitForScheduledTime,
        r.RetryFailedFlows,
        r.InstrumentFlowRunStateTransitions,
        r.ReleaseFlowConcurrencySlots,
    )
    assert CoreFlowPolicy.bookkeeping is GlobalFlowPolicy


def test_minimal_flow_policy_keeps_only_what_force_must_not_skip() -> None:
    assert MinimalFlowPolicy.rules == (
        r.PreventResultDataLoss,
        r.BypassCancellingFlowRunsWithNoInfra,
        r.InstrumentFlowRunStateTransitions,
        r.ReleaseFlowConcurrencySlots,
    )
    assert MinimalFlowPolicy.bookkeeping is GlobalFlowPolicy


def test_task_policies_use_the_task_bookkeeping() -> None:
    assert CoreTaskPolicy.bookkeeping is GlobalTaskPolicy
    assert MinimalTaskPolicy.bookkeeping is GlobalTaskPolicy
    assert MinimalTaskPolicy.rules == ()
    assert r.IncrementTaskRunCount in GlobalTaskPolicy.rules
    assert r.IncrementFlowRunCount not in GlobalTaskPolicy.rules


@pytest.mark.parametrize(
    ("current", "target", "core", "forced"),
    [
        (S.SCHEDULED, S.RUNNING, ResponseStatus.WAIT, ResponseStatus.ACCEPT),
        (S.RUNNING, S.PENDING, ResponseStatus.ABORT, ResponseStatus.ACCEPT),
        (S.CANCELLING, S.COMPLETED, ResponseStatus.REJECT, ResponseStatus.ACCEPT),
        (S.FAILED, S.PAUSED, ResponseStatus.ABORT, ResponseStatus.ACCEPT),
        (S.PENDING, S.PAUSED, ResponseStatus.REJECT, ResponseStatus.ACCEPT),
    ],
)
def test_force_skips_the_protections_of_the_core_policy(
    current: StateType, target: StateType, core: ResponseStatus, forced: ResponseStatus
) -> None:
    state = make_state(current, scheduled_time=NOW + timedelta(hours=1))

    assert run_flow(state, proposal(target)).status is core
    assert run_flow(state, proposal(target), policy=MinimalFlowPolicy).status is forced


def test_a_composed_policy_runs_the_custom_rule_in_its_position() -> None:
    assert TwoAttemptsPolicy.rules[3] is ForbidRunningOnTheThirdAttempt
    assert len(TwoAttemptsPolicy.rules) == len(CoreFlowPolicy.rules) + 1
    sim = FlowRunSimulator()
    sim.create(S.RUNNING)
    assert sim.propose(S.RUNNING, policy=TwoAttemptsPolicy).status is ResponseStatus.ACCEPT

    result = sim.propose(S.RUNNING, policy=TwoAttemptsPolicy)

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "Two attempts are enough."
    assert sim.run.run_count == 2


def test_a_composed_policy_keeps_the_core_rules() -> None:
    result = run_flow(make_state(S.RUNNING), proposal(S.PENDING), policy=TwoAttemptsPolicy)

    assert result.status is ResponseStatus.ABORT  # PreventPendingTransitions still applies


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("orchestration.policies.CoreFlowPolicy", CoreFlowPolicy),
        ("orchestration.policies.MinimalFlowPolicy", MinimalFlowPolicy),
        ("orchestration.policies.CoreTaskPolicy", CoreTaskPolicy),
        ("orchestration.policies.MinimalTaskPolicy", MinimalTaskPolicy),
        ("tests.orchestration.custom_policy_example.TwoAttemptsPolicy", TwoAttemptsPolicy),
    ],
)
def test_policies_load_by_dotted_path(path: str, expected: type) -> None:
    assert load_policy(path) is expected


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("CoreFlowPolicy", "is not a dotted path"),
        ("orchestration.nowhere.CoreFlowPolicy", "Cannot import 'orchestration.nowhere'"),
        ("orchestration.policies.CoreFlowPolcy", "has no attribute 'CoreFlowPolcy'"),
        ("tests.orchestration.custom_policy_example.NOT_A_POLICY", "is not a subclass"),
        ("orchestration.rules.RetryFailedFlows", "is not a subclass"),
        ("tests.orchestration.custom_policy_example.BrokenPolicy", "neither a Rule nor"),
    ],
)
def test_a_bad_dotted_path_fails_with_a_clear_error(path: str, message: str) -> None:
    with pytest.raises(PolicyLoadError, match=message):
        load_policy(path)


def test_policy_load_errors_are_import_errors() -> None:
    with pytest.raises(ImportError):
        load_policy("orchestration.policies.Missing")
