from django.db import models

from .base import TimestampedModel
from .flow_run import FlowRun


class FlowRunInput(TimestampedModel):
    flow_run = models.ForeignKey(FlowRun, on_delete=models.CASCADE, related_name="inputs")
    key = models.TextField()
    value = models.TextField()
    sender = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "flow_run_input"
        constraints = [
            models.UniqueConstraint(
                fields=["flow_run", "key"], name="uq_flow_run_input__flow_run_id_key"
            )
        ]

    def __str__(self) -> str:
        return self.key
