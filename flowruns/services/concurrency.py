"""Deployment concurrency slots, held as lease rows and counted under a lock.

The engine asks for a slot through the `ConcurrencySlots` port; this is the database side.
Acquiring locks the deployment row (lock order is always flow_run → deployment), counts the
leases it holds and inserts one if there is room — all inside the orchestration transaction,
so a rolled-back transition leaves nothing behind. Releasing deletes the lease: a second
release finds nothing and cannot under-count, and deleting a run deletes its lease.
"""

from __future__ import annotations

from uuid import UUID

from flowruns.models import Deployment, DeploymentConcurrencyLease


class DatabaseSlots:
    def try_acquire(self, deployment_id: UUID, flow_run_id: UUID) -> UUID | None:
        deployment = (
            Deployment.objects.select_for_update()
            .only("id", "concurrency_limit")
            .filter(pk=deployment_id)
            .first()
        )
        if deployment is None or deployment.concurrency_limit is None:
            return None
        held = DeploymentConcurrencyLease.objects.filter(deployment_id=deployment_id).count()
        if held >= deployment.concurrency_limit:
            return None
        lease = DeploymentConcurrencyLease.objects.create(
            deployment_id=deployment_id, flow_run_id=flow_run_id
        )
        return lease.id

    def release(self, lease_id: UUID) -> None:
        DeploymentConcurrencyLease.objects.filter(pk=lease_id).delete()

    def renew(self, lease_id: UUID) -> bool:
        return DeploymentConcurrencyLease.objects.filter(pk=lease_id).exists()
