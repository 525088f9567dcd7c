"""TaskRunFilter → `Q` over `TaskRun` rows (spec/api.md §4.4)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from flowruns.models import FlowRun

from .. import operators as o
from ..schemas import (
    TaskRunFilter,
    TaskRunFilterEndTime,
    TaskRunFilterExpectedStartTime,
    TaskRunFilterFlowRunId,
    TaskRunFilterId,
    TaskRunFilterName,
    TaskRunFilterStartTime,
    TaskRunFilterState,
    TaskRunFilterSubFlowRuns,
    TaskRunFilterTags,
)
from .common import state_types


def _id(f: TaskRunFilterId) -> Q:
    return o.combine(o.any_("id", f.any_))


def _name(f: TaskRunFilterName) -> Q:
    return o.combine([*o.any_("name", f.any_), *o.like_("name", f.like_)])


def _tags(f: TaskRunFilterTags) -> Q:
    criteria = [*o.tags_all_("tags", f.all_), *o.tags_is_null_("tags", f.is_null_)]
    return o.combine(criteria, f.operator)


def _state(f: TaskRunFilterState) -> Q:
    """As for flow runs: an empty `type`/`name` sub-filter is dropped, not TRUE."""
    criteria = []
    if f.type is not None:
        criteria.append(o.any_("state_type", state_types(f.type.any_)))
    if f.name is not None:
        criteria.append(o.any_("state_name", f.name.any_))
    return o.combine([o.combine(c) for c in criteria if c], f.operator)


def _start(f: TaskRunFilterStartTime) -> Q:
    """On `start_time` itself (no fallback to the expected start, unlike flow runs)."""
    return o.combine(
        [
            *o.before_("start_time", f.before_),
            *o.after_("start_time", f.after_),
            *o.is_null_("start_time", f.is_null_),
        ]
    )


def _end(f: TaskRunFilterEndTime) -> Q:
    return o.combine(
        [
            *o.before_("end_time", f.before_),
            *o.after_("end_time", f.after_),
            *o.is_null_("end_time", f.is_null_),
        ]
    )


def _expected_start(f: TaskRunFilterExpectedStartTime) -> Q:
    column = "expected_start_time"
    return o.combine([*o.before_(column, f.before_), *o.after_(column, f.after_)])


def _subflow_runs(f: TaskRunFilterSubFlowRuns) -> Q:
    """`exists_: true` keeps task runs that are the parent of some flow run."""
    is_parent = Exists(FlowRun.objects.filter(parent_task_run_id=OuterRef("pk")))
    return o.combine(o.exists_(is_parent, f.exists_))


def _flow_run_id(f: TaskRunFilterFlowRunId) -> Q:
    """`is_null_` defaults to false: without `any_`, only task runs inside a flow run match.

    `is_null_: true` → flow_run_id IS NULL (and `any_` is then ignored); `is_null_: false` with
    no `any_` → IS NOT NULL; otherwise `flow_run_id IN any_`.
    """
    if f.is_null_ is True:
        criteria = o.is_null_("flow_run_id", True)
    elif f.is_null_ is False and f.any_ is None:
        criteria = o.is_null_("flow_run_id", False)
    else:
        criteria = o.any_("flow_run_id", f.any_)
    return o.combine(criteria, f.operator)


def task_run_criterion(f: TaskRunFilter) -> Q:
    criteria = [
        *o.nested(f.id, _id),
        *o.nested(f.name, _name),
        *o.nested(f.tags, _tags),
        *o.nested(f.state, _state),
        *o.nested(f.start_time, _start),
        *o.nested(f.end_time, _end),
        *o.nested(f.expected_start_time, _expected_start),
        *o.nested(f.subflow_runs, _subflow_runs),
        *o.nested(f.flow_run_id, _flow_run_id),
    ]
    return o.combine(criteria, f.operator)
