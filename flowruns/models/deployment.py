import uuid

from django.db import models

from .base import TimestampedModel
from .flow import Flow
from .work_pool import WorkQueue


class Deployment(TimestampedModel):
    """A flow's deployment (spec/deployments.md §1): what a worker or `flow.serve()` runs."""

    class CollisionStrategy(models.TextChoices):
        ENQUEUE = "ENQUEUE"
        CANCEL_NEW = "CANCEL_NEW"

    class Status(models.TextChoices):
        READY = "READY"
        NOT_READY = "NOT_READY"

    name = models.TextField()
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="deployments")
    version = models.TextField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    labels = models.JSONField(null=True, blank=True, default=dict)
    paused = models.BooleanField(default=False)
    work_queue = models.ForeignKey(
        WorkQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="deployments"
    )
    work_queue_name = models.TextField(null=True, blank=True, db_index=True)
    job_variables = models.JSONField(default=dict, blank=True)
    concurrency_limit = models.IntegerField(null=True, blank=True)
    collision_strategy = models.CharField(
        max_length=16, choices=CollisionStrategy.choices, default=CollisionStrategy.ENQUEUE
    )
    # Null when the client sent no concurrency_options (the wire shows null then).
    concurrency_options = models.JSONField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    path = models.TextField(null=True, blank=True)
    entrypoint = models.TextField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    parameter_openapi_schema = models.JSONField(null=True, blank=True, default=dict)
    enforce_parameter_schema = models.BooleanField(default=True)
    pull_steps = models.JSONField(null=True, blank=True, default=list)
    storage_document_id = models.UUIDField(null=True, blank=True)
    infrastructure_document_id = models.UUIDField(null=True, blank=True)
    created_by = models.JSONField(null=True, blank=True)
    updated_by = models.JSONField(null=True, blank=True)
    # Written by polls without touching `updated` (spec/deployments.md §13).
    last_polled = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_READY)

    class Meta:
        db_table = "deployment"
        constraints = [
            models.UniqueConstraint(fields=["flow", "name"], name="uq_deployment__flow_id_name")
        ]

    def __str__(self) -> str:
        return self.name


class DeploymentSchedule(TimestampedModel):
    """One schedule of a deployment (spec/deployments.md §1, §12): `schedule` is one of the
    interval, cron or rrule shapes. Listed newest-`updated` first."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="schedules")
    schedule = models.JSONField()
    active = models.BooleanField(default=True)
    max_scheduled_runs = models.IntegerField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    slug = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "deployment_schedule"
        constraints = [
            # NULL slugs never collide (a plain UNIQUE treats NULLs as distinct on both backends).
            models.UniqueConstraint(
                fields=["deployment", "slug"], name="uq_deployment_schedule__deployment_slug"
            )
        ]
        indexes = [
            models.Index(fields=["deployment", "-updated"], name="ix_dep_schedule__dep_updated")
        ]

    def __str__(self) -> str:
        return f"schedule {self.id} of deployment {self.deployment_id}"


class DeploymentConcurrencyLease(models.Model):
    """One held slot of a deployment's concurrency limit.

    Slots in use are *counted* from these rows (under a lock on the deployment row) instead of
    kept in a counter, so a slot can never be leaked by a missed decrement or released twice:
    releasing deletes the row, and deleting a run deletes its lease with it.

    `expires_at` is when the lease lapses unless its client renews it (the renew route, R7);
    a lapsed lease holds no slot and the lease reaper (`background.sweeps.lease_reaper`)
    deletes it. Null means it never lapses: the leases of runs started by clients too old to
    renew (R9), and those taken before leases had an expiry.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="leases")
    flow_run = models.ForeignKey(
        "flowruns.FlowRun", on_delete=models.CASCADE, related_name="concurrency_leases"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "deployment_concurrency_lease"
        indexes = [models.Index(fields=["expires_at"], name="ix_dcl__expires_at")]

    def __str__(self) -> str:
        return f"lease {self.id} on deployment {self.deployment_id}"


class ReapedLease(models.Model):
    """A deployment-concurrency lease the lease reaper deleted because it lapsed, kept for a
    day so that renewing it answers 410 (its run's engine then stops the run: the slot may
    already be someone else's). A lease released by its own run's transition (finished,
    retried, paused) leaves no such row: renewing it is harmless and answers 204."""

    id = models.UUIDField(primary_key=True, editable=False)  # the lease's id
    deployment_id = models.UUIDField()
    flow_run_id = models.UUIDField()
    expired_at = models.DateTimeField()
    reaped_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "deployment_concurrency_lease_reaped"

    def __str__(self) -> str:
        return f"reaped lease {self.id} of flow run {self.flow_run_id}"
