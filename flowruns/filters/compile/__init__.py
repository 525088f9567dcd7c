"""Compile filter models into Django `Q` objects.

Entry points, one per queried model (spec/api.md §4.8):

* `flow_run_filter_q` — `FlowRun` rows (`/flow_runs/filter|count|lateness|history|paginate`);
* `task_run_filter_q` — `TaskRun` rows;
* `flow_filter_q` — `Flow` rows (`/flows/filter|count`);
* `log_filter_q` — `Log` rows (`/logs/filter`).

The entry points are also the Python API for internal callers (admin filters, retention):
they build the typed filter objects directly, e.g.
`flow_run_filter_q(flow_runs=FlowRunFilter(tags=FlowRunFilterTags(all_=["prod"])))`, instead
of writing a wire dict and validating it.

Each `*_criterion` function compiles one filter object against its own model; the entry points
add the related filters as correlated EXISTS subqueries. The mere *presence* of a related filter,
even `{}`, turns its EXISTS on (`"task_runs": {}` keeps only runs that have a task run); only
null or an absent key turns it off.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from flowruns.models import Deployment, Flow, FlowRun, TaskRun, WorkPool, WorkQueue

from .. import operators as o
from ..schemas import (
    DeploymentFilter,
    FlowFilter,
    FlowRunFilter,
    LogFilter,
    TaskRunFilter,
    WorkPoolFilter,
    WorkQueueFilter,
)
from .deployments import deployment_criterion
from .flow_runs import flow_run_criterion
from .flows import flow_criterion
from .logs import log_criterion
from .task_runs import task_run_criterion
from .work_pools import work_pool_criterion, work_queue_criterion

__all__ = [
    "deployment_criterion",
    "flow_criterion",
    "flow_filter_q",
    "flow_run_criterion",
    "flow_run_filter_q",
    "log_criterion",
    "log_filter_q",
    "task_run_criterion",
    "task_run_filter_q",
    "work_pool_criterion",
    "work_queue_criterion",
]


def _work_pool_exists(f: WorkPoolFilter, queue_column: str) -> Q:
    """The work queue in the outer row's `queue_column` belongs to a pool matching `f`."""
    pools = WorkPool.objects.filter(work_pool_criterion(f), queues__id=OuterRef(queue_column))
    return Q(Exists(pools))


def flow_run_filter_q(
    *,
    flows: FlowFilter | None = None,
    flow_runs: FlowRunFilter | None = None,
    task_runs: TaskRunFilter | None = None,
    deployments: DeploymentFilter | None = None,
    work_pools: WorkPoolFilter | None = None,
    work_pool_queues: WorkQueueFilter | None = None,
) -> Q:
    """Flow runs matching every given filter. Each EXISTS is correlated on a primary key or
    the indexed `task_run.flow_run_id`."""
    parts = []
    if flow_runs is not None:
        parts.append(flow_run_criterion(flow_runs))
    if deployments is not None:
        matching = Deployment.objects.filter(
            deployment_criterion(deployments), pk=OuterRef("deployment_id")
        )
        parts.append(Q(Exists(matching)))
    if work_pools is not None:
        parts.append(_work_pool_exists(work_pools, "work_queue_id"))
    if work_pool_queues is not None:
        queues = WorkQueue.objects.filter(
            work_queue_criterion(work_pool_queues), pk=OuterRef("work_queue_id")
        )
        parts.append(Q(Exists(queues)))
    if flows is not None:
        criterion = flow_criterion(flows)
        if criterion:  # every run has its flow: an empty flow filter restricts nothing
            parts.append(Q(Exists(Flow.objects.filter(criterion, pk=OuterRef("flow_id")))))
    if task_runs is not None:
        tasks = TaskRun.objects.filter(task_run_criterion(task_runs), flow_run_id=OuterRef("pk"))
        parts.append(Q(Exists(tasks)))
    return o.combine(parts)


def _only_flow_run_ids(f: FlowRunFilter) -> list[object] | None:
    """The ids of `f` when it says nothing but `id.any_` (a non-empty list), else None."""
    if f.id is None or not f.id.any_ or f.id.not_any_ is not None:
        return None
    others = f.model_dump(exclude={"id", "operator"}, exclude_none=True)
    return None if others else list(f.id.any_)


def task_run_filter_q(
    *,
    flows: FlowFilter | None = None,
    flow_runs: FlowRunFilter | None = None,
    task_runs: TaskRunFilter | None = None,
    deployments: DeploymentFilter | None = None,
    work_pools: WorkPoolFilter | None = None,
    work_pool_queues: WorkQueueFilter | None = None,
) -> Q:
    """Task runs matching `task_runs` whose flow run matches the other filters.

    Any flow-run-side filter (even `{}`) requires the task run to belong to a flow run. A filter
    on flow run ids alone compiles to a plain `flow_run_id IN (...)`.
    """
    parts = []
    if task_runs is not None:
        parts.append(task_run_criterion(task_runs))
    run_side = (flows, flow_runs, deployments, work_pools, work_pool_queues)
    if any(value is not None for value in run_side):
        ids = None
        if flow_runs is not None and sum(value is not None for value in run_side) == 1:
            ids = _only_flow_run_ids(flow_runs)
        if ids is not None:
            parts.append(Q(flow_run_id__in=ids))
        else:
            run_q = flow_run_filter_q(
                flows=flows,
                flow_runs=flow_runs,
                deployments=deployments,
                work_pools=work_pools,
                work_pool_queues=work_pool_queues,
            )
            runs = FlowRun.objects.filter(run_q, pk=OuterRef("flow_run_id"))
            parts.append(Q(Exists(runs)))
    return o.combine(parts)


def flow_filter_q(
    *,
    flows: FlowFilter | None = None,
    flow_runs: FlowRunFilter | None = None,
    task_runs: TaskRunFilter | None = None,
    deployments: DeploymentFilter | None = None,
    work_pools: WorkPoolFilter | None = None,
) -> Q:
    """Flows matching `flows`, having a deployment matching `deployments` whose queue is in a
    pool matching `work_pools`, and having a flow run matching `flow_runs` with a task run
    matching `task_runs`.

    These are the keys Prefect's `/flows/filter` and `/flows/count` accept; a `work_queues` key
    (which the Python client sends there) is not one of them and is ignored, as in Prefect.
    """
    parts = []
    if flows is not None:
        parts.append(flow_criterion(flows))
    if deployments is not None or work_pools is not None:
        matching = Deployment.objects.filter(flow_id=OuterRef("pk"))
        if deployments is not None:
            matching = matching.filter(deployment_criterion(deployments))
        if work_pools is not None:
            matching = matching.filter(_work_pool_exists(work_pools, "work_queue_id"))
        parts.append(Q(Exists(matching)))
    if flow_runs is not None or task_runs is not None:
        parts.append(runs_exist(flow_runs, task_runs, run_column="flow_id"))
    return o.combine(parts)


def runs_exist(
    flow_runs: FlowRunFilter | None, task_runs: TaskRunFilter | None, *, run_column: str
) -> Q:
    """Some flow run whose `run_column` is the outer row's key matches `flow_runs` and has a
    task run matching `task_runs` (either may be None: not checked)."""
    runs = FlowRun.objects.filter(**{run_column: OuterRef("pk")})
    if flow_runs is not None:
        runs = runs.filter(flow_run_criterion(flow_runs))
    if task_runs is not None:
        tasks = TaskRun.objects.filter(task_run_criterion(task_runs), flow_run_id=OuterRef("pk"))
        runs = runs.filter(Exists(tasks))
    return Q(Exists(runs))


def log_filter_q(logs: LogFilter | None = None) -> Q:
    """Logs matching `logs` (every log when it is None)."""
    return o.TRUE if logs is None else log_criterion(logs)
