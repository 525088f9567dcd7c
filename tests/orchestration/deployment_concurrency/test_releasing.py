"""ReleaseFlowConcurrencySlots (R17): leaving a slot-holding state gives the slot back, once."""

from __future__ import annotations

from uuid import uuid4

import pytest

from orchestration import FlowRunPolicy, MinimalFlowPolicy, ResponseStatus, StateType
from tests.orchestration.helpers import DEPLOYMENT_ID, FlowRunSimulator, flow_run

from .helpers import deployed_run, holding, lease_of, limited

S = StateType


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
