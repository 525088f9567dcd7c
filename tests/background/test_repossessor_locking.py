"""The lease reaper against real concurrent transactions (PostgreSQL): it skips a lease
another transaction holds instead of waiting, and a renewal racing the reaper either keeps
the lease (204, not reaped) or loses it (410, reaped), never both."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from background.sweeps.lease_reaper import leases_reap
from flowruns.models import DeploymentConcurrencyLease
from tests.factories import DeploymentFactory, FlowRunFactory

from .lease_helpers import renew

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def lapsed_lease(seconds_ago: float = 1) -> DeploymentConcurrencyLease:
    deployment = DeploymentFactory(concurrency_limit=5)
    return DeploymentConcurrencyLease.objects.create(
        deployment=deployment,
        flow_run=FlowRunFactory(deployment_id=deployment.id),
        expires_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_a_lease_locked_by_another_transaction_is_skipped_not_waited_for():
    held, free = lapsed_lease(), lapsed_lease()
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                DeploymentConcurrencyLease.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        result = leases_reap(timezone.now())
    finally:
        release.set()
        holder.join(30)

    assert result.changed == 1
    assert list(DeploymentConcurrencyLease.objects.values_list("pk", flat=True)) == [held.pk]
    assert free.pk not in set(DeploymentConcurrencyLease.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("attempt", range(5))
def test_a_renewal_racing_the_reaper_either_keeps_or_loses_the_lease(attempt):
    # Live for the renewal (real clock), lapsed for a reaper whose clock is 10 s ahead.
    lease = lapsed_lease(seconds_ago=-5)
    barrier = threading.Barrier(2)
    answers: dict[str, object] = {}

    def reap() -> None:
        try:
            barrier.wait()
            answers["reaped"] = leases_reap(timezone.now() + timedelta(seconds=10)).changed
        finally:
            connections.close_all()

    def renewal() -> None:
        try:
            barrier.wait()
            answers["renew"] = renew(APIClient(), str(lease.pk)).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reap), threading.Thread(target=renewal)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    exists = DeploymentConcurrencyLease.objects.filter(pk=lease.pk).exists()
    outcome = (answers["renew"], answers["reaped"], exists)
    assert outcome in {(204, 0, True), (410, 1, False)}
