import uuid

from django.db import models
from django.utils import timezone


class Log(models.Model):
    """A log line sent by a client. Designed for tens of millions of rows.

    `flow_run_id`/`task_run_id` are plain columns (no foreign keys, as in Prefect): logs may
    arrive before or without their run, and deleting runs removes logs by run id in batches.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(default=timezone.now)
    name = models.TextField()
    level = models.SmallIntegerField(db_index=True)
    flow_run_id = models.UUIDField(null=True, blank=True)
    task_run_id = models.UUIDField(null=True, blank=True, db_index=True)
    message = models.TextField()
    timestamp = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "log"
        indexes = [
            models.Index(fields=["flow_run_id", "timestamp"], name="ix_log__flow_run_id_timestamp"),
        ]

    def __str__(self) -> str:
        return f"{self.timestamp} {self.name}: {self.message[:60]}"
