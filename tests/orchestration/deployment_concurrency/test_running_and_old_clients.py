"""ValidateDeploymentConcurrencyAtRunning (R7): the lease is renewed or replaced at RUNNING;
RemoveDeploymentConcurrencyLeaseForOldClientVersions (R9): clients too old to be checked."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from orchestration import ResponseStatus, StateType
from tests.orchestration.helpers import DEPLOYMENT_ID, make_state

from .helpers import NEW_CLIENT, deployed_run, holding, lease_of, limited

S = StateType


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


@pytest.mark.parametrize(("client", "kept"), [("3.2.0", True), (None, True), (NEW_CLIENT, False)])
def test_only_clients_that_never_renew_have_their_lease_kept_from_lapsing(
    client: str | None, kept: bool
) -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)
    lease = lease_of(sim)

    sim.propose(S.RUNNING, client_version=client)

    assert (lease in slots.kept) is kept


def test_a_run_held_back_at_running_keeps_a_lease_that_lapses() -> None:
    slots, deployment = limited(1)
    sim = deployed_run(slots, deployment)
    sim.propose(S.PENDING)
    sim.state = make_state(
        S.PENDING, scheduled_time=sim.now + timedelta(minutes=5), **holding(lease_of(sim))
    )

    result = sim.propose(S.RUNNING, client_version="3.2.0")

    assert result.status is ResponseStatus.WAIT
    assert slots.kept == set()
