from django.db import models
from django.db.models import F

from .base import RunFields, StateFields, TimestampedModel


class TaskRun(TimestampedModel, RunFields):
    flow_run = models.ForeignKey(
        "flowruns.FlowRun",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="task_runs",
        db_index=False,  # the unique (flow_run, task_key, dynamic_key) index leads with it
    )
    task_key = models.TextField()
    dynamic_key = models.TextField()
    cache_key = models.TextField(null=True, blank=True)
    cache_expiration = models.DateTimeField(null=True, blank=True)
    task_version = models.TextField(null=True, blank=True)
    flow_run_run_count = models.IntegerField(default=0)
    task_inputs = models.JSONField(default=dict, blank=True)
    state = models.ForeignKey(
        "flowruns.TaskRunState",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        db_table = "task_run"
        constraints = [
            models.UniqueConstraint(
                fields=["flow_run", "task_key", "dynamic_key"],
                name="uq_task_run__flow_run_id_task_key_dynamic_key",
            ),
            # NULLs never collide above, so task runs outside any flow run get their own.
            models.UniqueConstraint(
                fields=["task_key", "dynamic_key"],
                condition=models.Q(flow_run__isnull=True),
                name="uq_task_run__task_key_dynamic_key_no_flow",
            ),
        ]
        indexes = [
            models.Index(
                F("expected_start_time").desc(),
                F("id").desc(),
                name="ix_task_run__exp_start_desc",
            ),
            models.Index(
                fields=["next_scheduled_start_time", "id"], name="ix_task_run__next_sched"
            ),
            models.Index(fields=["name", "id"], name="ix_task_run__name_id"),
            models.Index(F("end_time").desc(), F("id").desc(), name="ix_task_run__end_time_desc"),
            models.Index(fields=["start_time"], name="ix_task_run__start_time"),
            models.Index(fields=["state_type", "start_time"], name="ix_task_run__type_start"),
            models.Index(fields=["state_name"], name="ix_task_run__state_name"),
            models.Index(fields=["state_timestamp"], name="ix_task_run__state_timestamp"),
        ]

    def __str__(self) -> str:
        return self.name


class TaskRunState(TimestampedModel, StateFields):
    # The unique (task_run, timestamp) index serves lookups by task run.
    task_run = models.ForeignKey(
        TaskRun, on_delete=models.CASCADE, related_name="states", db_index=False
    )

    class Meta:
        db_table = "task_run_state"
        constraints = [
            models.UniqueConstraint(
                fields=["task_run", "timestamp"],
                name="uq_task_run_state__task_run_id_timestamp",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"
