"""What the dashboard shows, read in a bounded number of queries whatever the table size.

* runs by state per bucket: the history the API answers (`flow_run_history_matching`, from
  the exact counters' slots plus raw rows at the edges);
* late runs: their count from the exact counters, the oldest few by the state-name index;
* runs stuck RUNNING / CANCELLING: older than a threshold, counted up to a cap;
* the busiest flows and deployments of the last 24 h with their failure rates: one grouped
  query over that day's runs (the expected-start index bounds it);
* each background service's last pass (`ServiceState`, one row per service).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection
from django.utils import timezone

from background.models import ServiceState
from flowruns.filters.bodies import FlowRunHistoryQuery, FlowRunQuery
from flowruns.filters.schemas.flow_runs import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateName,
)
from flowruns.models import Deployment, Flow, FlowRun, StateType
from flowruns.selectors.run_counters.count import flow_runs_count_matching
from flowruns.selectors.run_counters.history import flow_run_history_matching

# range key: (label, window, bucket)
RANGES: dict[str, tuple[str, timedelta, timedelta]] = {
    "24h": ("last 24 hours", timedelta(hours=24), timedelta(hours=1)),
    "7d": ("last 7 days", timedelta(days=7), timedelta(hours=6)),
}
DEFAULT_RANGE = "24h"
STUCK_RUNNING_AFTER = timedelta(hours=6)
STUCK_CANCELLING_AFTER = timedelta(minutes=15)
LISTED = 8  # runs listed per panel
COUNT_CAP = 10_000  # "10,000+" beyond
TOP = 8  # flows / deployments listed
BUSIEST_SAMPLE = 5_000  # the newest runs of the day the busiest lists are drawn from
FAILURE_TYPES = (StateType.FAILED, StateType.CRASHED)


@dataclass
class HistoryBucket:
    start: datetime
    end: datetime
    counts: dict[str, int]


@dataclass
class RunGroup:
    """Some runs in one condition: how many (capped) and the first few."""

    count: int
    capped: bool
    runs: list[dict[str, Any]]


@dataclass
class Activity:
    """Runs of one flow or deployment over the window."""

    id: UUID
    name: str
    total: int = 0
    failed: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    @property
    def failure_rate(self) -> float:
        return self.failed / self.total if self.total else 0.0


@dataclass
class ServiceRow:
    state: ServiceState
    stale: bool


def runs_by_state(*, window: timedelta, bucket: timedelta, now: datetime) -> list[HistoryBucket]:
    """Runs per bucket and state type, by expected start (as `/flow_runs/history`). The window
    ends at the end of the current hour, so every bucket is whole hours: the counters' hourly
    sums answer it and only the slot holding `now` is counted from rows."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    buckets = flow_run_history_matching(
        query=FlowRunHistoryQuery(),
        start=end - window,
        end=end,
        interval_seconds=bucket.total_seconds(),
        now=now,
    )
    out = []
    for b in buckets:
        counts: dict[str, int] = defaultdict(int)
        for state in b.states:
            counts[state["state_type"] or ""] += state["count_runs"]
        out.append(HistoryBucket(b.interval_start, b.interval_end, dict(counts)))
    return out


RUN_COLUMNS = (
    "id",
    "name",
    "state_type",
    "state_name",
    "state_timestamp",
    "expected_start_time",
    "flow__name",
)


def late_runs() -> RunGroup:
    """SCHEDULED runs the late-runs service marked `Late`: exact count, oldest first."""
    name = FlowRunFilterStateName(any_=["Late"])
    count = flow_runs_count_matching(
        query=FlowRunQuery(flow_runs=FlowRunFilter(state=FlowRunFilterState(name=name)))
    )
    runs = FlowRun.objects.filter(state_name="Late", state_type=StateType.SCHEDULED).order_by(
        "expected_start_time", "id"
    )
    return RunGroup(count, False, list(runs.values(*RUN_COLUMNS)[:LISTED]))


def stuck_runs(*, state_type: StateType, older_than: timedelta, now: datetime) -> RunGroup:
    """Runs in `state_type` whose current state is older than `older_than`, oldest first."""
    stuck = FlowRun.objects.filter(state_type=state_type, state_timestamp__lt=now - older_than)
    count = stuck.order_by()[: COUNT_CAP + 1].count()
    runs = stuck.order_by("state_timestamp", "id").values(*RUN_COLUMNS)[:LISTED]
    return RunGroup(min(count, COUNT_CAP), count > COUNT_CAP, list(runs))


def _sample_counts(*, since: datetime, now: datetime) -> list[tuple[UUID, UUID | None, str, int]]:
    """(flow, deployment, state type, runs) over the sample, grouped by the database: a
    few dozen rows come back instead of thousands."""
    sample = (
        FlowRun.objects.filter(expected_start_time__gte=since, expected_start_time__lt=now)
        .order_by("-expected_start_time", "-id")
        .values_list("flow_id", "deployment_id", "state_type")[:BUSIEST_SAMPLE]
    )
    sql, params = sample.query.sql_with_params()
    uuid_field = FlowRun._meta.get_field("flow")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sample.flow_id, sample.deployment_id, sample.state_type, COUNT(*) "
            f"FROM ({sql}) AS sample GROUP BY 1, 2, 3",
            params,
        )
        rows = cursor.fetchall()
    convert = uuid_field.target_field.to_python
    return [
        (convert(flow), None if deployment is None else convert(deployment), state, n)
        for flow, deployment, state, n in rows
    ]


def busiest(*, since: datetime, now: datetime) -> tuple[list[Activity], list[Activity]]:
    """The flows and the deployments with the most runs among the newest `BUSIEST_SAMPLE`
    runs expected to start in [since, now), busiest first, each with its runs per state type
    and its failure rate. The sample keeps the page's cost flat however busy the day was
    (one read along the expected-start index)."""
    flows: dict[UUID, Activity] = {}
    deployments: dict[UUID, Activity] = {}
    for flow_id, deployment_id, state_type, n in _sample_counts(since=since, now=now):
        targets = [flows.setdefault(flow_id, Activity(flow_id, ""))]
        if deployment_id is not None:
            targets.append(deployments.setdefault(deployment_id, Activity(deployment_id, "")))
        state = state_type or ""
        for activity in targets:
            activity.total += n
            activity.by_state[state] = activity.by_state.get(state, 0) + n
            if state in FAILURE_TYPES:
                activity.failed += n
    top_flows = sorted(flows.values(), key=lambda a: (-a.total, str(a.id)))[:TOP]
    top_deployments = sorted(deployments.values(), key=lambda a: (-a.total, str(a.id)))[:TOP]
    names = dict(Flow.objects.filter(id__in=[a.id for a in top_flows]).values_list("id", "name"))
    for activity in top_flows:
        activity.name = names.get(activity.id, str(activity.id))
    if top_deployments:
        found = Deployment.objects.filter(id__in=[a.id for a in top_deployments])
        labels = {d.id: f"{d.flow.name}/{d.name}" for d in found.select_related("flow")}
        for activity in top_deployments:
            activity.name = labels.get(activity.id, f"{activity.id} (deleted)")
    return top_flows, top_deployments


def services(*, now: datetime) -> list[ServiceRow]:
    """Each service's last pass; stale when an enabled service has not run for three of its
    intervals (or a minute, whichever is longer)."""
    rows = []
    for state in ServiceState.objects.order_by("name"):
        grace = timedelta(seconds=max(3 * state.interval_seconds, 60))
        stale = state.enabled and (state.last_started is None or now - state.last_started > grace)
        rows.append(ServiceRow(state, stale))
    return rows


@dataclass
class Dashboard:
    range_key: str
    range_label: str
    now: datetime
    history: list[HistoryBucket]
    late: RunGroup
    stuck_running: RunGroup
    stuck_cancelling: RunGroup
    flows: list[Activity]
    deployments: list[Activity]
    services: list[ServiceRow]

    @property
    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for bucket in self.history:
            for state, n in bucket.counts.items():
                totals[state] += n
        return dict(totals)


def dashboard_read(*, range_key: str = DEFAULT_RANGE, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    label, window, bucket = RANGES[range_key]
    flows, deployments = busiest(since=now - timedelta(hours=24), now=now)
    return Dashboard(
        range_key=range_key,
        range_label=label,
        now=now,
        history=runs_by_state(window=window, bucket=bucket, now=now),
        late=late_runs(),
        stuck_running=stuck_runs(
            state_type=StateType.RUNNING, older_than=STUCK_RUNNING_AFTER, now=now
        ),
        stuck_cancelling=stuck_runs(
            state_type=StateType.CANCELLING, older_than=STUCK_CANCELLING_AFTER, now=now
        ),
        flows=flows,
        deployments=deployments,
        services=services(now=now),
    )
