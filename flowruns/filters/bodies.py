"""Field-body models holding the filter keys of a request body (spec/api.md §1.2, §4.8).

The top-level keys of these bodies are separate parameters: unknown ones are ignored, while
unknown keys *inside* a filter object are a 422. Views validate them with
`flowruns.api.wire.body.field_body` and subclass them to add their own keys, e.g.:

    class FlowRunFilterBody(FlowRunQuery):
        sort: FlowRunSort = FlowRunSort.ID_DESC
        limit: int | None = None
        offset: int = Field(0, ge=0)

    body = field_body(request, FlowRunFilterBody)
    runs = FlowRun.objects.filter(body.q()).order_by(*ordering(body.sort))
"""

from __future__ import annotations

from django.db.models import Q
from pydantic import BaseModel, ConfigDict

from .compile import flow_filter_q, flow_run_filter_q, log_filter_q, task_run_filter_q
from .schemas import (
    DeploymentFilter,
    FlowFilter,
    FlowRunFilter,
    LogFilter,
    TaskRunFilter,
    WorkPoolFilter,
    WorkQueueFilter,
)


class FieldBody(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _FlowRunFilters(FieldBody):
    flows: FlowFilter | None = None
    flow_runs: FlowRunFilter | None = None
    task_runs: TaskRunFilter | None = None
    deployments: DeploymentFilter | None = None
    work_pools: WorkPoolFilter | None = None

    def _flow_run_q(self, work_pool_queues: WorkQueueFilter | None) -> Q:
        return flow_run_filter_q(
            flows=self.flows,
            flow_runs=self.flow_runs,
            task_runs=self.task_runs,
            deployments=self.deployments,
            work_pools=self.work_pools,
            work_pool_queues=work_pool_queues,
        )


class FlowRunQuery(_FlowRunFilters):
    """The filter keys of `/flow_runs/filter`, `/count`, `/lateness` and `/paginate`."""

    work_pool_queues: WorkQueueFilter | None = None

    def q(self) -> Q:
        return self._flow_run_q(self.work_pool_queues)


class FlowRunHistoryQuery(_FlowRunFilters):
    """The filter keys of `/flow_runs/history`, where the work-queue filter is `work_queues`
    (a `work_pool_queues` key there is unknown, hence ignored)."""

    work_queues: WorkQueueFilter | None = None

    def q(self) -> Q:
        return self._flow_run_q(self.work_queues)


class FlowQuery(_FlowRunFilters):
    """The filter keys of `/flows/filter` and `/flows/count` (no work-queue filter there)."""

    def q(self) -> Q:
        return flow_filter_q(
            flows=self.flows,
            flow_runs=self.flow_runs,
            task_runs=self.task_runs,
            deployments=self.deployments,
            work_pools=self.work_pools,
        )


class TaskRunQuery(FieldBody):
    """The filter keys of `/task_runs/filter` and `/task_runs/count`."""

    flows: FlowFilter | None = None
    flow_runs: FlowRunFilter | None = None
    task_runs: TaskRunFilter | None = None
    deployments: DeploymentFilter | None = None

    def q(self) -> Q:
        return task_run_filter_q(
            flows=self.flows,
            flow_runs=self.flow_runs,
            task_runs=self.task_runs,
            deployments=self.deployments,
        )


class LogQuery(FieldBody):
    """The filter key of `/logs/filter`."""

    logs: LogFilter | None = None

    def q(self) -> Q:
        return log_filter_q(self.logs)
