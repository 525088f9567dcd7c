"""Where the deployment-concurrency rules sit in the core policy, and a policy without them."""

from __future__ import annotations

from typing import ClassVar

from orchestration import CoreFlowPolicy, Policy, ResponseStatus, StateType
from orchestration.policies import Step
from orchestration.rules import (
    HandleResumingPausedFlows,
    RemoveDeploymentConcurrencyLeaseForOldClientVersions,
    SecureFlowConcurrencySlots,
)
from tests.orchestration.helpers import DEPLOYMENT_ID, flow_run, make_state, proposal, run_flow

from .helpers import limited

S = StateType


def test_the_old_client_lease_rule_keeps_its_place_in_the_core_policy() -> None:
    rules = CoreFlowPolicy.rules
    assert rules.index(RemoveDeploymentConcurrencyLeaseForOldClientVersions) == 8
    assert rules.index(SecureFlowConcurrencySlots) < rules.index(HandleResumingPausedFlows)


def test_a_custom_policy_can_drop_deployment_concurrency() -> None:
    class NoConcurrency(CoreFlowPolicy):
        rules: ClassVar[tuple[Step, ...]] = tuple(
            r for r in CoreFlowPolicy.rules if r is not SecureFlowConcurrencySlots
        )

    slots, deployment = limited(0)
    policy: type[Policy] = NoConcurrency
    result = run_flow(
        make_state(S.SCHEDULED),
        proposal(S.PENDING),
        policy=policy,
        run=flow_run(deployment_id=DEPLOYMENT_ID),
        deployment=deployment,
        slots=slots,
    )

    assert result.status is ResponseStatus.ACCEPT
