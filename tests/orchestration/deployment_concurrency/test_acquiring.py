"""SecureFlowConcurrencySlots (R8): PENDING takes a slot or requeues, cancels or aborts the
run; a slot taken for a transition that is then refused is given back."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from orchestration import (
    DeploymentFacts,
    InMemorySlots,
    MinimalFlowPolicy,
    ResponseStatus,
    StateType,
)
from orchestration.slots import NoSlots, SlotsNotConfiguredError
from tests.orchestration.helpers import DEPLOYMENT_ID, FlowRunSimulator

from .helpers import LEASE, deployed_run, lease_of, limited

S = StateType


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
