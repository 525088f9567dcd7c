"""Deployment concurrency: taking a slot on the way into PENDING, giving it back on the way
out of PENDING/RUNNING/CANCELLING (orchestration.md §3.6).

A slot is represented by a lease whose id rides on the run's states in
`state_details.deployment_concurrency_lease_id`. Slots are only ever given back through
that lease id, and releasing a lease twice is a no-op, so the double releases Prefect has
(a decrement "by deployment" when the lease is gone) cannot happen here.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from orchestration.context import FlowRunFacts, TransitionContext
from orchestration.decisions import ACCEPT, NO_CHANGE, Abort, Accept, Decision, Reject, Update
from orchestration.rules.base import ALL_STATES, SLOT_HOLDING_STATES, Rule, Transform, state_types
from orchestration.states import StateType, new_state
from orchestration.versions import WORKER_VERSIONS_MANAGING_DEPLOYMENT_CONCURRENCY

LEASE = "deployment_concurrency_lease_id"
LIMIT_REACHED = "Deployment concurrency limit reached."


class SecureFlowConcurrencySlots(Rule[FlowRunFacts]):
    """R8. Take a deployment slot when a run is claimed for submission (→ PENDING), so a
    worker learns there is no room *before* it provisions infrastructure. When the limit
    is full the run is re-queued (`AwaitingConcurrencySlot`, retried after
    `WAIT_SECONDS`) or, with the CANCEL_NEW strategy, cancelled.

    Workers 3.0.0rc20-3.0.3 counted slots themselves, so they are let through untouched.
    If a later rule refuses the transition, `cleanup` gives the slot back.
    """

    FROM_STATES = ALL_STATES - SLOT_HOLDING_STATES
    TO_STATES = state_types(StateType.PENDING)
    WAIT_SECONDS = 30

    def __init__(self) -> None:
        self.lease_id: UUID | None = None

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        run, proposal, deployment = ctx.run, ctx.proposal, ctx.deployment
        if run.deployment_id is None:
            return ACCEPT
        if ctx.client_version in WORKER_VERSIONS_MANAGING_DEPLOYMENT_CONCURRENCY:
            return ACCEPT
        if deployment is None or not deployment.exists:
            return Abort(reason="Deployment not found.")
        if deployment.concurrency_limit is None:
            return ACCEPT
        if deployment.concurrency_limit == 0:
            return Abort(
                reason=(
                    "The deployment concurrency limit is 0. "
                    "The flow will deadlock if submitted again."
                )
            )
        self.lease_id = ctx.slots.try_acquire(run.deployment_id, run.id)
        if self.lease_id is not None:
            return Accept(state=proposal.with_details(**{LEASE: self.lease_id}))
        if deployment.collision_strategy == "CANCEL_NEW":
            cancelled = new_state(
                StateType.CANCELLED, timestamp=proposal.timestamp, message=LIMIT_REACHED
            )
            return Reject(state=cancelled, reason=LIMIT_REACHED)
        queued = new_state(
            StateType.SCHEDULED,
            name="AwaitingConcurrencySlot",
            timestamp=proposal.timestamp,
            scheduled_time=ctx.now + timedelta(seconds=self.WAIT_SECONDS),
        )
        return Reject(state=queued, reason=LIMIT_REACHED)

    def cleanup(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        if self.lease_id is not None:
            ctx.slots.release(self.lease_id)
        return NO_CHANGE


class ReleaseFlowConcurrencySlots(Transform[FlowRunFacts]):
    """R17. A run that leaves PENDING/RUNNING/CANCELLING for any other state gives its
    slot back, through the lease id on the state it leaves.

    Without a lease id nothing is released: in this server a held slot always has a lease
    (the 3.0.x workers that skip R8 never took one), so Prefect's fallback "decrement the
    deployment by one" could only ever free somebody else's slot.
    """

    def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        current, final = ctx.initial_state, ctx.proposed_state
        if current is None or final is None or ctx.run.deployment_id is None:
            return NO_CHANGE
        if current.type not in SLOT_HOLDING_STATES or final.type in SLOT_HOLDING_STATES:
            return NO_CHANGE
        lease_id = current.detail(LEASE)
        if lease_id is not None:
            ctx.slots.release(lease_id)
        return NO_CHANGE


class EnforceDeploymentConcurrencyOnLate(Rule[FlowRunFacts]):
    """Late marking (MarkLateRunsPolicy only): a late run of a full CANCEL_NEW deployment
    would only be cancelled when a worker tries to start it, so cancel it right away.
    Reads `DeploymentFacts.active_slots`, which the late-runs service must fill in."""

    FROM_STATES = state_types(StateType.SCHEDULED)
    TO_STATES = state_types(StateType.SCHEDULED)

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        proposal, deployment = ctx.proposal, ctx.deployment
        if proposal.name != "Late" or ctx.run.deployment_id is None or deployment is None:
            return ACCEPT
        limit, active = deployment.concurrency_limit, deployment.active_slots
        if (
            limit is not None
            and active is not None
            and deployment.collision_strategy == "CANCEL_NEW"
            and active >= limit
        ):
            cancelled = new_state(
                StateType.CANCELLED, timestamp=proposal.timestamp, message=LIMIT_REACHED
            )
            return Reject(
                state=cancelled,
                reason="Deployment concurrency limit is full and uses the CANCEL_NEW strategy.",
            )
        return ACCEPT
