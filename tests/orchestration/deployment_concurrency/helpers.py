"""Deployed runs against the in-memory slot store, shared by the deployment-concurrency tests."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from orchestration import DeploymentFacts, InMemorySlots, StateType
from tests.orchestration.helpers import DEPLOYMENT_ID, FlowRunSimulator, flow_run

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
