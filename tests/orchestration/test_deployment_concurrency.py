"""Deployment concurrency (R1, R7, R8, R9, R17) against the in-memory slot store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest

from orchestration import (
    CoreFlowPolicy,
    DeploymentFacts,
    FlowRunPolicy,
    InMemorySlots,
    MinimalFlowPolicy,
    Policy,
    ResponseStatus,
    StateType,
)
from orchestration.policies import Step
from orchestration.rules import (
    HandleResumingPausedFlows,
    PreserveDeploymentConcurrencyLeaseId,
    RemoveDeploymentConcurrencyLeaseForOldClientVersions,
    SecureFlowConcurrencySlots,
)
from orchestration.slots import NoSlots, SlotsNotConfiguredError
from tests.orchestration.helpers import (
    DEPLOYMENT_ID,
    FlowRunSimulator,
    flow_ctx,
    flow_run,
    make_state,
    proposal,
    run_flow,
)

S = StateType
LEASE = "deployment_concurrency_lease_id"


def holding(lease_id: UUID | None) -> dict[str, Any]:
    """State details carrying a deployment-concurrency lease id."""
    return {LEASE: lease_id}


NEW_CLIENT = "3.4.11"


def limited(limit: int = 1, **facts: object) -> tuple[InMemorySlots, DeploymentFacts]:
    slots = InMemorySlots({DEPLOYMENT_ID: limit})
    return slots, DeploymentFacts(concurrency_limit=limit, **facts)  # type: ignore[arg-type]


def deployed_run(
    slots: InMemorySlots, deployment: DeploymentFacts | None, start: StateType = S.SCHEDULED
) -> FlowRunSimulator:
    sim = FlowRunSimulator(
        run=flow_run(id=uuid4(), deployment_id=DEPLOYMENT_ID), slots=slots, deployment=deployment
    )
    sim.create(start)
    return sim


def lease_of(sim: FlowRunSimulator) -> object:
    assert sim.state is not None
    return sim.state.detail(LEASE)


# -- acquiring (R8) ------------------------------------------------------------------------


def test_pending_takes_a_slot_and_records_its_lease() -> None:
    slots, deployment = limited(2)
    sim = deployed_run(slots, deployment)

    result = sim.propose(S.PENDING)

    assert result.status is ResponseStatus.ACCEPT
    assert slots.active(DEPLOYMENT_ID) == 1
    assert lease_of(sim) in slots.leases


def test_full_deployment_requeues_the_run_for_thirty_seconds() -> None:
    slots, deployment = limited(1)
    deployed_run(slots, deployment).propose(S.PENDING)
    second = deployed_run(slots, deployment)
    now = second.now

    result = second.propose(S.PENDING)

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "Deployment concurrency limit reached."
    assert result.state is not None
    assert (result.state.type, result.state.name) == (S.SCHEDULED, "AwaitingConcurrencySlot")
    assert result.state.detail("scheduled_time") == now + timedelta(seconds=30)
    assert slots.active(DEPLOYMENT_ID) == 1


def test_full_cancel_new_deployment_cancels_the_run() -> None:
    slots, deployment = limited(1, collision_strategy="CANCEL_NEW")
    deployed_run(slots, deployment).propose(S.PENDING)

    result = deployed_run(slots, deployment).propose(S.PENDING)

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "Deployment concurrency limit reached."
    assert result.state is not None
    assert (result.state.type, result.state.message) == (
        S.CANCELLED,
        "Deployment concurrency limit reached.",
    )


def test_a_requeued_run_that_gets_a_slot_still_waits_for_its_scheduled_time() -> None:
    slots, deployment = limited(1)
    first = deployed_run(slots, deployment)
    first.propose(S.PENDING)
    second = deployed_run(slots, deployment)
    second.propose(S.PENDING)  # → AwaitingConcurrencySlot, +30 s
    first.propose(S.COMPLETED)  # frees the slot

    assert second.propose(S.PENDING).status is ResponseStatus.ACCEPT
    waited = second.propose(S.RUNNING)

    assert waited.status is ResponseStatus.WAIT
    assert waited.delay_seconds == 28


def test_zero_limit_aborts() -> None:
    slots, deployment = limited(0)

    result = deployed_run(slots, deployment).propose(S.PENDING)

    assert result.status is ResponseStatus.ABORT
    assert result.reason == (
        "The deployment concurrency limit is 0. The flow will deadlock if submitted again."
    )


@pytest.mark.parametrize(
    "deployment", [None, DeploymentFacts(exists=False)], ids=["not-looked-up", "missing"]
)
def test_missing_deployment_aborts(deployment: DeploymentFacts | None) -> None:
    result = deployed_run(InMemorySlots(), deployment).propose(S.PENDING)

    assert result.status is ResponseStatus.ABORT
    assert result.reason == "Deployment not found."


def test_deployment_without_limit_takes_no_slot() -> None:
    result = deployed_run(InMemorySlots(), DeploymentFacts()).propose(S.PENDING)

    assert result.status is ResponseStatus.ACCEPT
    assert result.state is not None and result.state.detail(LEASE) is None


def test_a_run_without_deployment_never_touches_the_slot_store() -> None:
    sim = FlowRunSimulator(slots=NoSlots())
    sim.create(S.SCHEDULED)

    assert sim.propose(S.PENDING).status is ResponseStatus.ACCEPT


@pytest.mark.parametrize("client", ["3.0.0rc20", "3.0.0", "3.0.1", "3.0.2", "3.0.3"])
def test_workers_that_count_slots_themselves_take_no_slot(client: str) -> None:
    slots, deployment = limited(1)

    result = deployed_run(slots, deployment).propose(S.PENDING, client_version=client)

    assert result.status is ResponseStatus.ACCEPT
    assert slots.active(DEPLOYMENT_ID) == 0


def test_force_takes_no_slot() -> None:
    slots, deployment = limited(1)

    deployed_run(slots, deployment).propose(S.PENDING, policy=MinimalFlowPolicy)

    assert slots.active(DEPLOYMENT_ID) == 0


def test_slot_store_misconfiguration_fails_loudly() -> None:
    with pytest.raises(SlotsNotConfiguredError):
        NoSlots().try_acquire(DEPLOYMENT_ID, uuid4())


# -- giving back on cleanup ----------------------------------------------------------------


def test_a_slot_taken_for_a_refused_resume_is_given_back() -> None:
    """PAUSED → PENDING: R8 takes a slot, then R12 refuses; R8's cleanup releases it."""
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment, start=S.PAUSED)

    result = sim.propose(S.PENDING)

    assert result.status is ResponseStatus.REJECT
    assert result.reason is not None and result.reason.startswith("This run cannot transition")
    assert slots.active(DEPLOYMENT_ID) == 0
    assert len(slots.released) == 1


def test_a_slot_is_kept_when_nothing_overturns_the_claim() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment, start=S.FAILED)

    assert sim.propose(S.PENDING).status is ResponseStatus.ACCEPT
    assert slots.active(DEPLOYMENT_ID) == 1
    assert slots.released == []


# -- keeping the lease id (R1) ---------------------------------------------------------------


def test_the_lease_id_rides_along_on_every_later_state() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)
    lease = lease_of(sim)

    sim.propose(S.RUNNING)
    assert lease_of(sim) == lease
    sim.propose(S.COMPLETED)
    assert lease_of(sim) == lease


def test_an_explicit_lease_id_on_the_proposal_is_kept() -> None:
    mine, theirs = uuid4(), uuid4()
    ctx = flow_ctx(make_state(S.RUNNING, **holding(theirs)), proposal(S.COMPLETED, **holding(mine)))

    decision = PreserveDeploymentConcurrencyLeaseId().before_transition(ctx)

    assert decision.state is None


# -- releasing (R17) -------------------------------------------------------------------------


@pytest.mark.parametrize("leaving", [S.PENDING, S.RUNNING, S.CANCELLING])
@pytest.mark.parametrize("target", [S.SCHEDULED, S.COMPLETED, S.FAILED, S.CANCELLED, S.CRASHED])
def test_leaving_a_slot_holding_state_releases_the_slot(
    leaving: StateType, target: StateType
) -> None:
    slots, deployment = limited(1)
    lease = slots.try_acquire(DEPLOYMENT_ID, uuid4())
    sim = FlowRunSimulator(
        run=flow_run(deployment_id=DEPLOYMENT_ID), slots=slots, deployment=deployment
    )
    sim.create(leaving, **holding(lease))

    sim.propose(target, policy=MinimalFlowPolicy)

    assert slots.active(DEPLOYMENT_ID) == 0
    assert slots.released == [lease]


@pytest.mark.parametrize(
    ("leaving", "target"),
    [(S.PENDING, S.RUNNING), (S.RUNNING, S.CANCELLING), (S.PENDING, S.CANCELLING)],
)
def test_moving_between_slot_holding_states_keeps_the_slot(
    leaving: StateType, target: StateType
) -> None:
    slots, deployment = limited(1)
    lease = slots.try_acquire(DEPLOYMENT_ID, uuid4())
    sim = FlowRunSimulator(
        run=flow_run(deployment_id=DEPLOYMENT_ID), slots=slots, deployment=deployment
    )
    sim.create(leaving, **holding(lease))

    sim.propose(target, policy=MinimalFlowPolicy)

    assert slots.released == []


def test_a_refused_transition_releases_nothing() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)

    sim.propose(S.PAUSED)  # null-rejected: not running

    assert slots.active(DEPLOYMENT_ID) == 1


def test_a_retry_releases_the_slot_once_and_the_final_failure_never_again() -> None:
    slots, deployment = limited(1)
    sim = FlowRunSimulator(
        run=flow_run(deployment_id=DEPLOYMENT_ID, empirical_policy=FlowRunPolicy(retries=1)),
        slots=slots,
        deployment=deployment,
    )
    sim.create(S.SCHEDULED)
    sim.propose(S.PENDING)
    sim.propose(S.RUNNING)

    assert sim.propose(S.FAILED).status is ResponseStatus.REJECT  # → AwaitingRetry
    assert slots.active(DEPLOYMENT_ID) == 0
    sim.propose(S.RUNNING)
    sim.propose(S.FAILED)

    # the second release goes through the same (gone) lease: a no-op, never a decrement
    assert len(set(slots.released)) == 1
    assert slots.active(DEPLOYMENT_ID) == 0


def test_pause_and_resume_never_frees_another_runs_slot() -> None:
    """Prefect under-counts here (§3.6); with lease-only releases the other run keeps its slot."""
    slots, deployment = limited(2)
    a = deployed_run(slots, deployment)
    a.propose(S.PENDING)
    a.propose(S.RUNNING)
    a.propose(S.PAUSED)  # releases a's slot
    b = deployed_run(slots, deployment)
    b.propose(S.PENDING)
    a.propose(S.RUNNING)
    a.propose(S.COMPLETED)  # a's lease is already gone: nothing more is released

    assert slots.active(DEPLOYMENT_ID) == 1
    assert lease_of(b) in slots.leases


# -- validating at RUNNING (R7) and old clients (R9) -----------------------------------------


def test_new_clients_renew_their_lease_at_running() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)
    lease = lease_of(sim)

    result = sim.propose(S.RUNNING, client_version=NEW_CLIENT)

    assert result.status is ResponseStatus.ACCEPT
    assert lease_of(sim) == lease
    assert slots.active(DEPLOYMENT_ID) == 1


def test_a_reaped_lease_is_replaced_when_a_slot_is_free() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)
    old = lease_of(sim)
    slots.expire(old)  # type: ignore[arg-type]

    result = sim.propose(S.RUNNING, client_version="3.5.0")

    assert result.status is ResponseStatus.ACCEPT
    assert lease_of(sim) not in (None, old)
    assert lease_of(sim) in slots.leases


def test_a_reaped_lease_without_a_free_slot_cancels_the_run() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)
    slots.expire(lease_of(sim))  # type: ignore[arg-type]
    deployed_run(slots, deployment).propose(S.PENDING)  # someone else takes the slot

    result = sim.propose(S.RUNNING, client_version=NEW_CLIENT)

    assert result.status is ResponseStatus.REJECT
    assert result.reason == "Deployment concurrency limit reached after lease expiry."
    assert result.state is not None and result.state.type is S.CANCELLED
    assert result.state.message == (
        "Deployment concurrency slot lost during provisioning - "
        "no slots available to continue execution"
    )
    assert slots.active(DEPLOYMENT_ID) == 1  # the other run's slot is untouched


def test_a_replacement_slot_is_given_back_if_the_run_must_still_wait() -> None:
    """R7 takes a new slot, then WaitForScheduledTime holds the run: R7's cleanup releases."""
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    reaped = uuid4()  # a lease the store no longer knows
    sim.state = make_state(
        S.PENDING, scheduled_time=sim.now + timedelta(minutes=5), **holding(reaped)
    )

    result = sim.propose(S.RUNNING, client_version=NEW_CLIENT)

    assert result.status is ResponseStatus.WAIT
    assert slots.active(DEPLOYMENT_ID) == 0
    assert len(slots.released) == 1 and slots.released[0] != reaped


@pytest.mark.parametrize("client", [None, "3.4.10", "2.19.0", "not-a-version"])
def test_old_clients_are_not_checked_at_running(client: str | None) -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)
    lease = lease_of(sim)
    slots.expire(lease)  # type: ignore[arg-type]

    result = sim.propose(S.RUNNING, client_version=client)

    assert result.status is ResponseStatus.ACCEPT
    assert lease_of(sim) == lease


def test_old_clients_keep_their_lease_so_the_slot_is_released_exactly_once() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING, client_version="3.2.0")
    lease = lease_of(sim)

    sim.propose(S.RUNNING, client_version="3.2.0")
    assert lease in slots.leases  # Prefect would revoke it here
    sim.propose(S.COMPLETED, client_version="3.2.0")

    assert slots.released == [lease]
    assert slots.active(DEPLOYMENT_ID) == 0


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
