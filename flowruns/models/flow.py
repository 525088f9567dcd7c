from django.db import models

from .base import TimestampedModel


class Flow(TimestampedModel):
    name = models.TextField(unique=True)
    tags = models.JSONField(default=list, blank=True)
    labels = models.JSONField(null=True, blank=True, default=dict)

    class Meta:
        db_table = "flow"
        indexes = [
            models.Index(fields=["created"], name="ix_flow__created"),
            models.Index(fields=["updated"], name="ix_flow__updated"),
        ]

    def __str__(self) -> str:
        return self.name
