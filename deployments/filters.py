"""Compiling the filter keys of `/deployments/filter|count|paginate` (spec §6) from the
project's filter criteria (`flowruns.filters.compile`). All keys are ANDed; a present key,
even `{}`, turns its EXISTS on."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from flowruns.filters import operators as o
from flowruns.filters.compile import (
    deployment_criterion,
    flow_criterion,
    runs_exist,
    work_pool_criterion,
    work_queue_criterion,
)
from flowruns.filters.schemas import (
    DeploymentFilter,
    FlowFilter,
    FlowRunFilter,
    TaskRunFilter,
    WorkPoolFilter,
    WorkQueueFilter,
)
from flowruns.models import Flow, WorkPool, WorkQueue


def deployment_filter_q(
    *,
    flows: FlowFilter | None = None,
    flow_runs: FlowRunFilter | None = None,
    task_runs: TaskRunFilter | None = None,
    deployments: DeploymentFilter | None = None,
    work_pools: WorkPoolFilter | None = None,
    work_pool_queues: WorkQueueFilter | None = None,
) -> Q:
    parts = []
    if deployments is not None:
        parts.append(deployment_criterion(deployments))
    if flows is not None:
        parts.append(Q(Exists(Flow.objects.filter(flow_criterion(flows), pk=OuterRef("flow_id")))))
    if flow_runs is not None or task_runs is not None:
        parts.append(runs_exist(flow_runs, task_runs, run_column="deployment_id"))
    if work_pools is not None or work_pool_queues is not None:
        queues = WorkQueue.objects.filter(pk=OuterRef("work_queue_id"))
        if work_pool_queues is not None:
            queues = queues.filter(work_queue_criterion(work_pool_queues))
        if work_pools is not None:
            pools = WorkPool.objects.filter(
                work_pool_criterion(work_pools), pk=OuterRef("work_pool_id")
            )
            queues = queues.filter(Exists(pools))
        parts.append(Q(Exists(queues)))
    return o.combine(parts)
