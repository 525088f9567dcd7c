from __future__ import annotations

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
from .display import format_duration, pretty_json, state_badge, tag_list
from .filters import TaskRunFlowRunIdFilter, TaskRunStartFilter


def task_run_search_q(term: str) -> Q:
    """A full UUID finds the task run with that id or the task runs of that flow run; other
    text matches names containing it."""
    try:
        run_id = UUID(term)
    except ValueError:
        return task_run_filter_q(task_runs=TaskRunFilter(name=TaskRunFilterName(like_=term)))
    return Q(id=run_id) | Q(flow_run_id=run_id)


class TaskRunStateInline(ReadOnlyInline):
    model = TaskRunState
    verbose_name = "state"
    verbose_name_plural = "state history (newest first)"
    fields = ("timestamp", "badge", "message")
    readonly_fields = fields
    ordering = ("-timestamp",)

    @admin.display(description="state")
    def badge(self, obj: TaskRunState) -> SafeString:
        return state_badge(obj.type, obj.name)


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
        return format_duration(obj.total_run_time)

    @admin.display(description="tags")
    def tag_list(self, obj: TaskRun) -> str:
        return tag_list(obj.tags)

    @admin.display(description="task inputs")
    def task_inputs_json(self, obj: TaskRun) -> SafeString:
        return pretty_json(obj.task_inputs)

    @admin.display(description="empirical policy")
    def policy_json(self, obj: TaskRun) -> SafeString:
        return pretty_json(obj.empirical_policy)
