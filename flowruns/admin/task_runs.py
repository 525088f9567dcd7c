"""The task-run admin: a cheap list, and a read-only detail page with the run's newest states
and its first log lines (logs come from `logs_app` through `run_logs`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.filters.compile import task_run_filter_q
from flowruns.filters.schemas import TaskRunFilter, TaskRunFilterName
from flowruns.models import TaskRun, TaskRunState

from .base import ReadOnlyAdmin, ReadOnlyInline
from .display import pretty_json, run_duration, state_badge, tag_list
from .filters import TaskRunFlowRunIdFilter, TaskRunStartFilter
from .run_logs import task_run_logs

STATES_SHOWN = 50


def task_run_search_q(term: str) -> Q:
    """A full UUID finds the task run with that id or the task runs of that flow run; other
    text matches names containing it."""
    try:
        run_id = UUID(term)
    except ValueError:
        return task_run_filter_q(task_runs=TaskRunFilter(name=TaskRunFilterName(like_=term)))
    return Q(id=run_id) | Q(flow_run_id=run_id)


class TaskRunStateInline(ReadOnlyInline):
    """The newest states (a task run retried many times must not render thousands)."""

    model = TaskRunState
    verbose_name = "state"
    verbose_name_plural = f"state history (newest first, at most {STATES_SHOWN})"
    fields = ("timestamp", "badge", "message", "details", "actor")
    readonly_fields = fields
    ordering = ("-timestamp",)

    @admin.display(description="state")
    def badge(self, obj: TaskRunState) -> SafeString:
        return state_badge(obj.type, obj.name)

    @admin.display(description="details")
    def details(self, obj: TaskRunState) -> SafeString:
        ids = {"flow_run_id", "task_run_id"}  # the page already says whose state it is
        details = {
            k: v
            for k, v in (obj.state_details or {}).items()
            if v not in (None, False) and k not in ids
        }
        return pretty_json(details) if details else SafeString("")

    def newest_states(self, queryset: QuerySet[Any], task_run: TaskRun) -> QuerySet[Any]:
        newest = TaskRunState.objects.filter(task_run=task_run).order_by(*self.ordering)
        ids = list(newest.values_list("id", flat=True)[:STATES_SHOWN])
        return queryset.filter(id__in=ids)


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "flow_run_link",
        "current_state",
        "task_key",
        "expected_start_time",
        "start_time",
        "end_time",
        "duration",
        "run_count",
    )
    list_select_related = ("flow_run",)
    ordering = ("-expected_start_time", "-id")
    sortable_by = ("name", "expected_start_time", "start_time", "end_time")
    list_filter = (
        ("state_type", admin.ChoicesFieldListFilter),
        TaskRunFlowRunIdFilter,
        TaskRunStartFilter,
    )
    search_fields = ("name",)
    search_help_text = "Name contains…, or a full task run or flow run id"
    raw_id_fields = ("flow_run",)
    changelist_defer = ("task_inputs", "empirical_policy", "labels")
    inlines = (TaskRunStateInline,)
    fields = (
        "id",
        "name",
        "flow_run",
        "current_state",
        "task_key",
        "dynamic_key",
        "task_version",
        "tag_list",
        "cache_key",
        "cache_expiration",
        "expected_start_time",
        "start_time",
        "end_time",
        "duration",
        "run_count",
        "flow_run_run_count",
        "logs",
        "task_inputs_json",
        "policy_json",
        "created",
        "updated",
    )
    readonly_fields = fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[TaskRun], search_term: str
    ) -> tuple[QuerySet[TaskRun], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(task_run_search_q(term)), False

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, TaskRunStateInline) and obj is not None:
            kwargs["queryset"] = inline.newest_states(kwargs["queryset"], obj)
        return kwargs

    @admin.display(description="flow run")
    def flow_run_link(self, obj: TaskRun) -> SafeString | str:
        if obj.flow_run is None:
            return "-"
        url = reverse("admin:flowruns_flowrun_change", args=[obj.flow_run_id])
        return format_html('<a href="{}">{}</a>', url, obj.flow_run.name)

    @admin.display(description="state")
    def current_state(self, obj: TaskRun) -> SafeString:
        return state_badge(obj.state_type, obj.state_name)

    @admin.display(description="duration")
    def duration(self, obj: TaskRun) -> str:
        return run_duration(obj.state_type, obj.start_time, obj.total_run_time)

    @admin.display(description="logs")
    def logs(self, obj: TaskRun) -> SafeString:
        url = reverse("admin:logs_app_log_changelist") + f"?q={obj.pk}"
        link = format_html('<a href="{}" class="task-run-logs">All logs of this task run</a>', url)
        return format_html("{}{}", link, task_run_logs(obj.pk))

    @admin.display(description="tags")
    def tag_list(self, obj: TaskRun) -> str:
        return tag_list(obj.tags)

    @admin.display(description="task inputs")
    def task_inputs_json(self, obj: TaskRun) -> SafeString:
        return pretty_json(obj.task_inputs)

    @admin.display(description="empirical policy")
    def policy_json(self, obj: TaskRun) -> SafeString:
        return pretty_json(obj.empirical_policy)
