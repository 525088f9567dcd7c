"""`/flow_runs/count` (and /paginate's count) from the counters when the filter allows."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from flowruns.filters.bodies import FlowRunQuery
from flowruns.models import FlowRunCount, FlowRunTagCount
from flowruns.selectors.flow_run_queries import flow_runs_count

from .shapes import CounterShape, counter_shape


def _counter_rows(shape: CounterShape) -> QuerySet[FlowRunCount] | QuerySet[FlowRunTagCount]:
    rows: QuerySet[FlowRunCount] | QuerySet[FlowRunTagCount]
    if shape.tag is not None:
        rows = FlowRunTagCount.objects.filter(tag=shape.tag)
    else:
        rows = FlowRunCount.objects.all()
        if shape.flow_ids is not None:
            rows = rows.filter(flow_id__in=shape.flow_ids)
    if shape.state_types is not None:
        rows = rows.filter(state_type__in=shape.state_types)
    if shape.state_names is not None:
        rows = rows.filter(state_name__in=shape.state_names)
    return rows


def counted_runs(shape: CounterShape) -> int:
    """How many runs match `shape`, read from the counters alone."""
    total = _counter_rows(shape).aggregate(total=Sum("n"))["total"]
    return int(total or 0)


def flow_runs_count_matching(*, query: FlowRunQuery) -> int:
    """What `FlowRun.objects.filter(query.q()).count()` answers, from a few hundred counter
    rows when the filter is one the counters cover."""
    shape = counter_shape(
        flows=query.flows,
        flow_runs=query.flow_runs,
        others=(query.task_runs, query.deployments, query.work_pools, query.work_pool_queues),
    )
    if shape is None:
        return flow_runs_count(where=query.q())
    return counted_runs(shape)
