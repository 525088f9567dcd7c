"""The one piece of I/O the engine may do: deployment-concurrency slots.

The Django service implements `ConcurrencySlots` with lease rows inside the orchestration
transaction, so acquiring, renewing and releasing commit or roll back together with the
state write. That is what lets the rules here avoid Prefect's accounting gaps
(orchestration.md §3.6): a slot is only ever given back through its lease, and releasing a
lease twice is a no-op rather than a second decrement.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID, uuid4


class ConcurrencySlots(Protocol):
    """Deployment-concurrency slots, one lease per occupied slot."""

    def try_acquire(self, deployment_id: UUID, flow_run_id: UUID) -> UUID | None:
        """Take a slot of the deployment's limit for this run.

        Returns the new lease id, or None when every slot is taken. Must be atomic
        (a conditional increment), because two runs may race for the last slot.
        """
        ...

    def release(self, lease_id: UUID) -> None:
        """Give back the slot held by this lease and delete the lease.

        Idempotent: an unknown or already released lease is a no-op, never a decrement.
        """
        ...

    def renew(self, lease_id: UUID) -> bool:
        """Extend the lease's expiry. False if the lease no longer exists (reaped)."""
        ...

    def keep(self, lease_id: UUID) -> None:
        """Let the lease live until it is released (its client never renews it, R9).
        A lease that already lapsed or is unknown stays so."""
        ...


class SlotsNotConfiguredError(RuntimeError):
    """A deployment has a concurrency limit but the caller gave the engine no slot store."""


class NoSlots:
    """The slot store for callers without deployment concurrency.

    Releasing is a no-op (there is nothing to give back). Acquiring or renewing means a
    deployment with a limit reached the engine without a real store, which is a wiring
    bug, so it fails loudly instead of silently admitting or refusing runs.
    """

    def try_acquire(self, deployment_id: UUID, flow_run_id: UUID) -> UUID | None:
        raise SlotsNotConfiguredError(
            f"Deployment {deployment_id} has a concurrency limit but no slot store was given."
        )

    def release(self, lease_id: UUID) -> None:
        return None

    def renew(self, lease_id: UUID) -> bool:
        raise SlotsNotConfiguredError(f"Cannot renew lease {lease_id}: no slot store was given.")

    def keep(self, lease_id: UUID) -> None:
        return None


class InMemorySlots:
    """A dict-backed `ConcurrencySlots` for tests: one limit per deployment, leases as keys.

    `expire` simulates a reaper reclaiming a lease; `released` records every release call
    (including no-op ones) so tests can assert that nothing is given back twice.
    """

    def __init__(self, limits: dict[UUID, int] | None = None) -> None:
        self.limits: dict[UUID, int] = dict(limits or {})
        self.leases: dict[UUID, tuple[UUID, UUID]] = {}
        self.released: list[UUID] = []
        self.kept: set[UUID] = set()

    def active(self, deployment_id: UUID) -> int:
        """How many slots of the deployment are held."""
        return sum(1 for dep, _run in self.leases.values() if dep == deployment_id)

    def try_acquire(self, deployment_id: UUID, flow_run_id: UUID) -> UUID | None:
        if self.active(deployment_id) >= self.limits[deployment_id]:
            return None
        lease_id = uuid4()
        self.leases[lease_id] = (deployment_id, flow_run_id)
        return lease_id

    def release(self, lease_id: UUID) -> None:
        self.released.append(lease_id)
        self.leases.pop(lease_id, None)

    def renew(self, lease_id: UUID) -> bool:
        return lease_id in self.leases

    def keep(self, lease_id: UUID) -> None:
        if lease_id in self.leases:
            self.kept.add(lease_id)

    def expire(self, lease_id: UUID) -> None:
        """Drop a lease as a reaper would, freeing its slot."""
        self.leases.pop(lease_id, None)
