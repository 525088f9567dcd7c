from django.db import models
from django.utils import timezone

from .base import TimestampedModel


class WorkStatus(models.TextChoices):
    READY = "READY"
    NOT_READY = "NOT_READY"
    PAUSED = "PAUSED"


class WorkPool(TimestampedModel):
    """A work pool (spec/work_pools.md §1). `status` is null for `prefect-agent` pools."""

    name = models.TextField(unique=True)
    type = models.TextField(default="process")
    description = models.TextField(null=True, blank=True)
    is_paused = models.BooleanField(default=False)
    base_job_template = models.JSONField(default=dict, blank=True)
    concurrency_limit = models.IntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=16,
        choices=WorkStatus.choices,
        null=True,
        blank=True,
        default=WorkStatus.NOT_READY,
    )
    default_queue = models.ForeignKey(
        "WorkQueue", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    storage_configuration = models.JSONField(default=dict, blank=True)
    last_transitioned_status_at = models.DateTimeField(null=True, blank=True)
    last_status_event_id = models.UUIDField(null=True, blank=True)

    class Meta:
        db_table = "work_pool"

    def __str__(self) -> str:
        return self.name


class WorkQueue(TimestampedModel):
    DEFAULT_NAME = "default"

    name = models.TextField()
    work_pool = models.ForeignKey(WorkPool, on_delete=models.CASCADE, related_name="queues")
    description = models.TextField(null=True, blank=True)
    is_paused = models.BooleanField(default=False)
    priority = models.IntegerField(default=1)
    concurrency_limit = models.IntegerField(null=True, blank=True)
    filter = models.JSONField(null=True, blank=True)  # deprecated on the wire; stored as sent
    # Written by polls without touching `updated` (spec/work_pools.md §5).
    last_polled = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=WorkStatus.choices, default=WorkStatus.NOT_READY
    )

    class Meta:
        db_table = "work_queue"
        constraints = [
            models.UniqueConstraint(fields=["work_pool", "name"], name="uq_work_queue__pool_name")
        ]

    def __str__(self) -> str:
        return f"{self.work_pool.name}/{self.name}"


class Worker(TimestampedModel):
    """A worker polling a pool (spec/work_pools.md §1, §6): ONLINE by heartbeat, OFFLINE by
    the foreman."""

    class Status(models.TextChoices):
        ONLINE = "ONLINE"
        OFFLINE = "OFFLINE"

    work_pool = models.ForeignKey(WorkPool, on_delete=models.CASCADE, related_name="workers")
    name = models.TextField()
    last_heartbeat_time = models.DateTimeField(default=timezone.now)
    heartbeat_interval_seconds = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OFFLINE)

    class Meta:
        db_table = "worker"
        constraints = [
            models.UniqueConstraint(fields=["work_pool", "name"], name="uq_worker__pool_name")
        ]
        indexes = [
            models.Index(
                fields=["work_pool", "last_heartbeat_time"], name="ix_worker__pool_heartbeat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.work_pool_id})"
