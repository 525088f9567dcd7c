"""FlowRunFilter → `Q` over `FlowRun` rows (spec/api.md §4.3)."""

from __future__ import annotations

from django.db.models import DateTimeField, Q
from django.db.models.functions import Coalesce

from flowruns.models import TaskRun

from .. import operators as o
from ..schemas import (
    FlowRunFilter,
    FlowRunFilterCreatedBy,
    FlowRunFilterDeploymentId,
    FlowRunFilterEndTime,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterFlowVersion,
    FlowRunFilterId,
    FlowRunFilterIdempotencyKey,
    FlowRunFilterName,
    FlowRunFilterNextScheduledStartTime,
    FlowRunFilterParentFlowRunId,
    FlowRunFilterParentTaskRunId,
    FlowRunFilterStartTime,
    FlowRunFilterState,
    FlowRunFilterTags,
    FlowRunFilterWorkQueueName,
)
from .common import created_by_id, created_by_type, state_types


def _start(f: FlowRunFilterStartTime) -> Q:
    """`before_`/`after_` compare the actual start, or the expected start of a run that has not
    started (served by the `ix_flow_run__start_*` expression indexes); `is_null_` tests
    `start_time` only."""
    start = Coalesce("start_time", "expected_start_time", output_field=DateTimeField())
    return o.combine(
        [
            *o.before_(start, f.before_),
            *o.after_(start, f.after_),
            *o.is_null_("start_time", f.is_null_),
        ]
    )


def _state(f: FlowRunFilterState) -> Q:
    """`state.type` and `state.name`, each a plain filter, joined by `state.operator`.

    Prefect applies `state.type` (and likewise `state.name`) only when it reduces to exactly one
    comparison: sent with both `any_` and `not_any_` it is silently dropped and matches every
    run. This implementation takes the safer reading spec/api.md §4.3 offers and applies both
    (`state_type IN any_ AND state_type NOT IN not_any_`). A sub-filter with no active criterion
    is dropped, as in Prefect (it does not turn an `or_` into TRUE).
    """
    criteria = []
    if f.type is not None:
        criteria.append(
            [
                *o.any_("state_type", state_types(f.type.any_)),
                *o.not_any_("state_type", state_types(f.type.not_any_)),
            ]
        )
    if f.name is not None:
        criteria.append(
            [*o.any_("state_name", f.name.any_), *o.not_any_("state_name", f.name.not_any_)]
        )
    parts = [o.combine(c) for c in criteria if c]
    return o.combine(parts, f.operator)


def _parent_flow_run(f: FlowRunFilterParentFlowRunId) -> Q:
    """Direct subflows: runs whose parent task run belongs to one of the given flow runs."""
    criteria = []
    if f.any_ is not None:
        parent_tasks = TaskRun.objects.filter(flow_run_id__in=f.any_).values("id")
        criteria.append(Q(parent_task_run_id__in=parent_tasks))
    return o.combine(criteria, f.operator)


def _created_by(f: FlowRunFilterCreatedBy) -> Q:
    criteria = [
        *o.any_(created_by_id(), None if f.id_ is None else [str(u) for u in f.id_]),
        *o.any_(created_by_type(), f.type_),
        *o.is_null_("created_by", f.is_null_),
    ]
    return o.combine(criteria, f.operator)


def _id(f: FlowRunFilterId) -> Q:
    return o.combine([*o.any_("id", f.any_), *o.not_any_("id", f.not_any_)])


def _name(f: FlowRunFilterName) -> Q:
    return o.combine([*o.any_("name", f.any_), *o.like_("name", f.like_)])


def _tags(f: FlowRunFilterTags) -> Q:
    criteria = [
        *o.tags_all_("tags", f.all_),
        *o.tags_any_("tags", f.any_),
        *o.tags_is_null_("tags", f.is_null_),
    ]
    return o.combine(criteria, f.operator)


def _deployment_id(f: FlowRunFilterDeploymentId) -> Q:
    criteria = [*o.any_("deployment_id", f.any_), *o.is_null_("deployment_id", f.is_null_)]
    return o.combine(criteria, f.operator)


def _work_queue_name(f: FlowRunFilterWorkQueueName) -> Q:
    """On the stored `work_queue_name` column, not the related queue's name."""
    criteria = [*o.any_("work_queue_name", f.any_), *o.is_null_("work_queue_name", f.is_null_)]
    return o.combine(criteria, f.operator)


def _flow_version(f: FlowRunFilterFlowVersion) -> Q:
    return o.combine(o.any_("flow_version", f.any_))


def _end(f: FlowRunFilterEndTime) -> Q:
    return o.combine(
        [
            *o.before_("end_time", f.before_),
            *o.after_("end_time", f.after_),
            *o.is_null_("end_time", f.is_null_),
        ]
    )


def _expected_start(f: FlowRunFilterExpectedStartTime) -> Q:
    column = "expected_start_time"
    return o.combine([*o.before_(column, f.before_), *o.after_(column, f.after_)])


def _next_scheduled(f: FlowRunFilterNextScheduledStartTime) -> Q:
    column = "next_scheduled_start_time"
    return o.combine([*o.before_(column, f.before_), *o.after_(column, f.after_)])


def _parent_task_run(f: FlowRunFilterParentTaskRunId) -> Q:
    criteria = [
        *o.any_("parent_task_run_id", f.any_),
        *o.is_null_("parent_task_run_id", f.is_null_),
    ]
    return o.combine(criteria, f.operator)


def _idempotency_key(f: FlowRunFilterIdempotencyKey) -> Q:
    column = "idempotency_key"
    return o.combine([*o.any_(column, f.any_), *o.not_any_(column, f.not_any_)])


def flow_run_criterion(f: FlowRunFilter) -> Q:
    criteria = [
        *o.nested(f.id, _id),
        *o.nested(f.name, _name),
        *o.nested(f.tags, _tags),
        *o.nested(f.deployment_id, _deployment_id),
        *o.nested(f.work_queue_name, _work_queue_name),
        *o.nested(f.flow_version, _flow_version),
        *o.nested(f.state, _state),
        *o.nested(f.start_time, _start),
        *o.nested(f.end_time, _end),
        *o.nested(f.expected_start_time, _expected_start),
        *o.nested(f.next_scheduled_start_time, _next_scheduled),
        *o.nested(f.parent_flow_run_id, _parent_flow_run),
        *o.nested(f.parent_task_run_id, _parent_task_run),
        *o.nested(f.idempotency_key, _idempotency_key),
        *o.nested(f.created_by, _created_by),
    ]
    return o.combine(criteria, f.operator)
