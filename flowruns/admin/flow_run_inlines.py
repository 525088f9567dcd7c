"""The flow-run detail page's inlines: its state history, its inputs and its first task runs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.models import FlowRun, FlowRunInput, FlowRunState, TaskRun

from .base import ReadOnlyInline
from .display import pretty_json, run_duration, state_badge

TASK_RUNS_SHOWN = 50


class FlowRunStateInline(ReadOnlyInline):
    model = FlowRunState
    fk_name = "flow_run"
    verbose_name = "state"
    verbose_name_plural = "state history (newest first)"
    fields = ("timestamp", "badge", "message", "details", "actor")
    readonly_fields = fields
    ordering = ("-timestamp",)

    @admin.display(description="state")
    def badge(self, obj: FlowRunState) -> SafeString:
        return state_badge(obj.type, obj.name)

    @admin.display(description="details")
    def details(self, obj: FlowRunState) -> SafeString:
        details = {k: v for k, v in (obj.state_details or {}).items() if v not in (None, False)}
        return pretty_json(details) if details else SafeString("")


class FlowRunInputInline(ReadOnlyInline):
    model = FlowRunInput
    verbose_name = "input"
    fields = ("key", "short_value", "sender", "created")
    readonly_fields = fields
    ordering = ("key",)

    @admin.display(description="value")
    def short_value(self, obj: FlowRunInput) -> str:
        return obj.value if len(obj.value) <= 300 else obj.value[:300] + "…"


class TaskRunInline(ReadOnlyInline):
    """The run's first task runs (by expected start) with their states and timing; the full
    list is linked above it."""

    model = TaskRun
    fk_name = "flow_run"
    verbose_name_plural = f"task runs (first {TASK_RUNS_SHOWN})"
    fields = (
        "task_run",
        "badge",
        "expected_start_time",
        "start_time",
        "end_time",
        "duration",
        "run_count",
    )
    readonly_fields = fields
    ordering = ("expected_start_time", "id")

    @admin.display(description="task run")
    def task_run(self, obj: TaskRun) -> SafeString:
        url = reverse("admin:flowruns_taskrun_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)

    @admin.display(description="state")
    def badge(self, obj: TaskRun) -> SafeString:
        return state_badge(obj.state_type, obj.state_name)

    @admin.display(description="duration")
    def duration(self, obj: TaskRun) -> str:
        return run_duration(obj.state_type, obj.start_time, obj.total_run_time)

    def first_task_runs(self, queryset: QuerySet[Any], run: FlowRun) -> QuerySet[Any]:
        """`queryset` narrowed to the run's first `TASK_RUNS_SHOWN` task runs: a run with
        thousands of task runs must not render them all."""
        first = TaskRun.objects.filter(flow_run=run).order_by(*self.ordering)
        ids = list(first.values_list("id", flat=True)[:TASK_RUNS_SHOWN])
        return queryset.filter(id__in=ids)
