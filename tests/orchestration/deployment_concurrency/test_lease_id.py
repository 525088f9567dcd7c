"""PreserveDeploymentConcurrencyLeaseId (R1): the lease id rides along on later states."""

from __future__ import annotations

from uuid import uuid4

from orchestration import StateType
from orchestration.rules import PreserveDeploymentConcurrencyLeaseId
from tests.orchestration.helpers import flow_ctx, make_state, proposal

from .helpers import deployed_run, holding, lease_of, limited

S = StateType


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
