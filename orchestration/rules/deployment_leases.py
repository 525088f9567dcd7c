"""Deployment-concurrency leases: keeping the lease id on the run's states and checking it
is still alive when the run starts."""

from __future__ import annotations

from uuid import UUID

from orchestration.context import FlowRunFacts, TransitionContext
from orchestration.decisions import ACCEPT, NO_CHANGE, Accept, Decision, Reject, Update
from orchestration.rules.base import Rule, Transform, state_types
from orchestration.states import StateType, new_state
from orchestration.versions import client_supports_leases

LEASE = "deployment_concurrency_lease_id"


class PreserveDeploymentConcurrencyLeaseId(Transform[FlowRunFacts]):
    """R1. Workers send `deployment_concurrency_lease_id: null` explicitly; without this the
    first state they propose would drop the lease id and the slot could never be released
    through it. So a null lease id on the proposal inherits the current state's."""

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Accept:
        current, proposal = ctx.initial_state, ctx.proposed_state
        if current is None or proposal is None:
            return ACCEPT
        lease_id = current.detail(LEASE)
        if lease_id is not None and proposal.detail(LEASE) is None:
            return Accept(state=proposal.with_details(**{LEASE: lease_id}))
        return ACCEPT


class ValidateDeploymentConcurrencyAtRunning(Rule[FlowRunFacts]):
    """R7. Between PENDING and RUNNING a worker may take long to provision, and a reaper may
    have reclaimed the run's lease meanwhile. Clients from 3.4.11 renew their lease, so for
    them the lease is renewed here; if it is gone the run tries to take a slot again, and
    is cancelled if none is free (its infrastructure already exists, so re-queueing is no
    longer an option). Older clients never renew, so their leases are not checked.

    Unlike Prefect, a slot re-taken here is given back in `cleanup` when a later rule (for
    instance WaitForScheduledTime) keeps the run from starting after all.
    """

    FROM_STATES = state_types(StateType.PENDING)
    TO_STATES = state_types(StateType.RUNNING)

    def __init__(self) -> None:
        self.new_lease_id: UUID | None = None

    def before_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Decision:
        run, proposal, deployment = ctx.run, ctx.proposal, ctx.deployment
        lease_id = ctx.current.detail(LEASE)
        carried = proposal.with_details(**{LEASE: lease_id})
        if lease_id is None or not client_supports_leases(ctx.client_version):
            return Accept(state=carried)
        if run.deployment_id is None or deployment is None or not deployment.exists:
            return Accept(state=carried)
        if deployment.concurrency_limit is None or ctx.slots.renew(lease_id):
            return Accept(state=carried)
        self.new_lease_id = ctx.slots.try_acquire(run.deployment_id, run.id)
        if self.new_lease_id is not None:
            return Accept(state=proposal.with_details(**{LEASE: self.new_lease_id}))
        cancelled = new_state(
            StateType.CANCELLED,
            timestamp=proposal.timestamp,
            message=(
                "Deployment concurrency slot lost during provisioning - "
                "no slots available to continue execution"
            ),
        )
        return Reject(
            state=cancelled, reason="Deployment concurrency limit reached after lease expiry."
        )

    def cleanup(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        if self.new_lease_id is not None:
            ctx.slots.release(self.new_lease_id)
        return NO_CHANGE


class RemoveDeploymentConcurrencyLeaseForOldClientVersions(Rule[FlowRunFacts]):
    """R9. Clients older than 3.4.11 never renew their lease.

    Prefect revokes their lease once the run starts (its lease store would otherwise reap it
    and free the slot too early), and then relies on ReleaseFlowConcurrencySlots decrementing
    "by deployment" when the lease is missing. That fallback is how Prefect double-releases
    slots (§3.6). Here the lease is kept and told to never lapse (`slots.keep`), so the
    lease reaper leaves it alone and the slot is released exactly once, through its lease
    id, when the run leaves RUNNING/CANCELLING. This happens once the transition stands
    (`after_transition`), so a run held back by a later rule keeps its lapsing lease.
    """

    FROM_STATES = state_types(StateType.PENDING)
    TO_STATES = state_types(StateType.RUNNING, StateType.CANCELLING)

    def after_transition(self, ctx: TransitionContext[FlowRunFacts]) -> Update:
        if client_supports_leases(ctx.client_version):
            return NO_CHANGE
        final = ctx.proposed_state
        lease_id = final.detail(LEASE) if final is not None else None
        if lease_id is None and ctx.initial_state is not None:
            lease_id = ctx.initial_state.detail(LEASE)
        if lease_id is not None:
            ctx.slots.keep(lease_id)
        return NO_CHANGE
