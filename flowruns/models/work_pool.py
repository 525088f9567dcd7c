from django.db import models

from .base import TimestampedModel


class WorkPool(TimestampedModel):
    name = models.TextField(unique=True)
    type = models.TextField(default="process")
    description = models.TextField(null=True, blank=True)
    is_paused = models.BooleanField(default=False)
    base_job_template = models.JSONField(default=dict, blank=True)
    concurrency_limit = models.IntegerField(null=True, blank=True)

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

    class Meta:
        db_table = "work_queue"
        constraints = [
            models.UniqueConstraint(fields=["work_pool", "name"], name="uq_work_queue__pool_name")
        ]

    def __str__(self) -> str:
        return f"{self.work_pool.name}/{self.name}"
