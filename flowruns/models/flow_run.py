from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from orchestration.states import StateType

from .base import RunFields, StateFields, TimestampedModel
from .flow import Flow
from .work_pool import WorkQueue


class FlowRun(TimestampedModel, RunFields):
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="flow_runs")
    # No foreign key, as in Prefect: any UUID is accepted and filters use EXISTS.
    deployment_id = models.UUIDField(null=True, blank=True, db_index=True)
    deployment_version = models.TextField(null=True, blank=True)
    work_queue_name = models.TextField(null=True, blank=True)
    work_queue = models.ForeignKey(
        WorkQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="flow_runs"
    )
    flow_version = models.TextField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    idempotency_key = models.TextField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True)
    created_by = models.JSONField(null=True, blank=True)
    infrastructure_pid = models.TextField(null=True, blank=True)
    infrastructure_document_id = models.UUIDField(null=True, blank=True)
    job_variables = models.JSONField(null=True, blank=True, default=dict)
    parent_task_run = models.ForeignKey(
        "flowruns.TaskRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subflow_runs",
    )
    auto_scheduled = models.BooleanField(default=False)
    # When the server last received a `prefect.flow-run.heartbeat` for this run (only moves
    # forward); the zombie sweeper reads it (spec/services.md §6).
    last_heartbeat = models.DateTimeField(null=True, blank=True)
    # The heartbeat before it: their gap is the client's cadence, which the sweeper's threshold
    # never undercuts (three beats).
    previous_heartbeat = models.DateTimeField(null=True, blank=True)
    state = models.ForeignKey(
        "flowruns.FlowRunState",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "flow_run"
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "idempotency_key"], name="uq_flow_run__flow_id_idempotency_key"
            )
        ]
        # Every sort ends with `id` so pages are stable; each sort has an index that serves
        # ORDER BY ... LIMIT without sorting the table. An ASC sort reads its DESC index
        # backwards (the NULL placements mirror each other), so there is no ASC twin.
        indexes = [
            models.Index(
                Coalesce("start_time", "expected_start_time").desc(),
                F("id").desc(),
                name="ix_flow_run__start_desc",
            ),
            # Includes what /history sums, so the runs at its ragged bucket edges are counted
            # from the index alone (`selectors/history.py`, PostgreSQL INCLUDE).
            models.Index(
                F("expected_start_time").desc(),
                F("id").desc(),
                include=[
                    "state_type",
                    "state_name",
                    "state_timestamp",
                    "start_time",
                    "total_run_time",
                ],
                name="ix_flow_run__exp_start_desc",
            ),
            models.Index(
                fields=["next_scheduled_start_time", "id"], name="ix_flow_run__next_sched_asc"
            ),
            models.Index(F("end_time").desc(), F("id").desc(), name="ix_flow_run__end_time_desc"),
            models.Index(fields=["name", "id"], name="ix_flow_run__name_id"),
            # Lookups by key alone (filters, admin search); the unique constraint leads with flow.
            models.Index(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ix_flow_run__idempotency_key",
            ),
            # /history from the counters asks which RUNNING runs are stamped after `now` (their
            # estimate is clamped): a partial index over RUNNING runs only, with the expected
            # start included, answers it without visiting the table (usually: none).
            models.Index(
                fields=["state_timestamp"],
                include=["expected_start_time"],
                condition=Q(state_type=StateType.RUNNING),
                name="ix_flow_run__running_stamp",
            ),
            # Plain btree indexes (db_index=True would add a `_like` twin on PostgreSQL). No
            # query filters or sorts by `deployment_version`: not indexed.
            models.Index(fields=["work_queue_name"], name="ix_flow_run__work_queue_name"),
            models.Index(fields=["flow_version"], name="ix_flow_run__flow_version"),
            models.Index(fields=["start_time"], name="ix_flow_run__start_time"),
            # Covers `tags` (PostgreSQL INCLUDE) so /count and /paginate with a state and tag
            # filter are answered from the index alone; SQLite builds it without the column.
            models.Index(
                fields=["state_type", "id"], include=["tags"], name="ix_flow_run__state_type_id"
            ),
            # A filter pinning a few state types (or names), sorted by expected or actual start,
            # is read one branch per state along these (`selectors/state_branches.py`); `tags`
            # (and the start columns) are included so the branches need not visit the table.
            models.Index(
                F("state_type"),
                F("expected_start_time").desc(),
                F("id").desc(),
                include=["tags"],
                name="ix_flow_run__type_exp_desc",
            ),
            models.Index(
                F("state_type"),
                Coalesce("start_time", "expected_start_time").desc(),
                F("id").desc(),
                include=["tags", "start_time", "expected_start_time"],
                name="ix_flow_run__type_start_desc",
            ),
            models.Index(
                F("state_name"),
                F("expected_start_time").desc(),
                F("id").desc(),
                include=["tags"],
                name="ix_flow_run__sname_exp_desc",
            ),
            models.Index(fields=["state_name"], name="ix_flow_run__state_name"),
            models.Index(
                fields=["deployment_id", "auto_scheduled", "next_scheduled_start_time"],
                condition=Q(state_type=StateType.SCHEDULED),
                name="ix_flow_run__scheduled_deploy",
            ),
            # The late-runs service's scan (background.sweeps.late_runs): runs still named
            # `Scheduled`, by scheduled start then id, the order it pages in. Partial, so it
            # holds only the runs that can still turn Late, and a run leaves it when it does.
            models.Index(
                fields=["next_scheduled_start_time", "id"],
                condition=Q(state_type=StateType.SCHEDULED, state_name="Scheduled"),
                name="ix_flow_run__late_due",
            ),
            # Worker polling (work_pools.services.polling): a queue's scheduled runs in start
            # order, without walking the queue's finished runs. Partial: a run leaves it when
            # its worker moves it to PENDING.
            models.Index(
                fields=["work_queue", "next_scheduled_start_time", "id"],
                condition=Q(state_type=StateType.SCHEDULED),
                name="ix_flow_run__queue_scheduled",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FlowRunState(TimestampedModel, StateFields):
    # The unique (flow_run, timestamp) index serves lookups by run.
    flow_run = models.ForeignKey(
        FlowRun, on_delete=models.CASCADE, related_name="states", db_index=False
    )

    class Meta:
        db_table = "flow_run_state"
        constraints = [
            models.UniqueConstraint(
                fields=["flow_run", "timestamp"],
                name="uq_flow_run_state__flow_run_id_timestamp",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"
