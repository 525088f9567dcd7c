"""Global (v2) concurrency limits and the leases that hold their slots.

A tag limit is the limit named `tag:<tag>`. `active_slots` is the count of occupied slots as of
`updated`; rate limits (`slot_decay_per_second > 0`) give slots back lazily, computed from the
time since `updated` (services/decay.py), so every write bumps `updated`.

A lease holds `slots` on each limit it covers until it is released, or until the lease reaper
deletes it some time after `expires_at` (Prefect keeps leases in server memory; here they are
rows, so a restart or a second server process sees them). Deleting a limit leaves its leases
alone: releasing them later simply finds nothing to give back.
"""

import uuid

from django.db import models
from django.utils import timezone


class ConcurrencyLimitV2(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)
    name = models.TextField(unique=True)
    limit = models.IntegerField()
    active_slots = models.IntegerField(default=0)
    denied_slots = models.IntegerField(default=0)
    slot_decay_per_second = models.FloatField(default=0.0)
    avg_slot_occupancy_seconds = models.FloatField(default=2.0)

    class Meta:
        db_table = "concurrency_limit_v2"
        verbose_name = "concurrency limit"

    def __str__(self) -> str:
        return f"{self.name} ({self.active_slots}/{self.limit})"


class ConcurrencyLease(models.Model):
    HOLDER_TYPES = [
        ("flow_run", "flow run"),
        ("task_run", "task run"),
        ("deployment", "deployment"),
    ]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(db_index=True)
    slots = models.IntegerField()
    holder_type = models.TextField(choices=HOLDER_TYPES, null=True, blank=True)
    holder_id = models.UUIDField(null=True, blank=True)
    limits = models.ManyToManyField(ConcurrencyLimitV2, related_name="leases", blank=True)

    class Meta:
        db_table = "concurrency_lease"

    def __str__(self) -> str:
        return f"lease {self.id} ({self.slots} slots)"


class ReapedConcurrencyLease(models.Model):
    """A lease the reaper deleted, kept for a day so that renewing it answers 410 (its
    holder lost the slots) rather than the 204 given for ids never seen."""

    id = models.UUIDField(primary_key=True, editable=False)
    reaped_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "concurrency_lease_reaped"

    def __str__(self) -> str:
        return f"reaped lease {self.id}"
