"""A read-only, cheap-to-page admin for the log table (tens of millions of rows).

* no full COUNT: `CheapCountPaginator` (PostgreSQL's estimate when unfiltered, a capped count
  otherwise) and `show_full_result_count = False`;
* ordered by (timestamp, id), served by the timestamp index, or by (flow_run_id, timestamp)
  once narrowed to a run;
* filters are fixed lists (level, time) or a text box (`?flow_run_id=`): none enumerates runs;
* search takes a flow run or task run id; text search reads one run's logs only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from flowruns.admin.base import LeanChangeList, ReadOnlyAdmin
from flowruns.admin.filters import TextInputFilter, TimeRangeFilter
from flowruns.admin.run_logs import register_task_run_logs
from flowruns.filters.compile import log_filter_q
from flowruns.filters.schemas import (
    LogFilter,
    LogFilterFlowRunId,
    LogFilterLevel,
    LogFilterTaskRunId,
    LogFilterTextSearch,
    LogFilterTimestamp,
)
from flowruns.models import FlowRun, TaskRun
from logs_app.levels import LEVELS, level_name
from logs_app.models import Log

LEVEL_COLOURS = {10: "#8c8c8c", 20: "#1a73e8", 30: "#e0a800", 40: "#c62828", 50: "#6a1b9a"}
MESSAGE_CHARS = 200


class LevelFilter(admin.SimpleListFilter):
    title = "level"
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(level), f"{name} and above") for level, name in LEVELS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Log]) -> QuerySet[Log]:
        value = self.value()
        if value is None or not value.isdigit():
            return queryset
        return queryset.filter(log_filter_q(LogFilter(level=LogFilterLevel(ge_=int(value)))))


class LogFlowRunFilter(TextInputFilter):
    """`?flow_run_id=<uuid>`: one run's logs (the run page links here)."""

    title = "flow run id"
    parameter_name = "flow_run_id"
    placeholder = "flow run UUID"

    def filter_q(self, value: str) -> Q | None:
        try:
            run_id = UUID(value)
        except ValueError:
            messages.warning(self.request, f"Flow run id must be a full UUID, not {value!r}.")
            return None
        return log_filter_q(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))


class TimestampFilter(TimeRangeFilter):
    title = "time"
    parameter_name = "time"

    def range_q(self, after: datetime | None, before: datetime | None) -> Q:
        bounds = LogFilterTimestamp(after_=after, before_=before)
        return log_filter_q(LogFilter(timestamp=bounds))


@admin.register(Log)
class LogAdmin(ReadOnlyAdmin):
    list_display = ("log_time", "level_badge", "short_message", "name", "flow_run", "task_run")
    list_display_links = ("log_time",)
    ordering = ("-timestamp", "-id")
    sortable_by = ("log_time",)
    list_filter = (LevelFilter, LogFlowRunFilter, TimestampFilter)
    search_fields = ("message",)  # shows the box; `get_search_results` does the searching
    search_help_text = (
        "A flow run or task run id; or text in the messages of the run chosen under "
        "'By flow run id'"
    )
    list_per_page = 100
    fields = (
        "id",
        "timestamp",
        "level_badge",
        "name",
        "flow_run",
        "task_run",
        "message_block",
        "created",
    )
    readonly_fields = fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Log], search_term: str
    ) -> tuple[QuerySet[Log], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            run_id = UUID(term)
        except ValueError:
            pass
        else:
            of_flow_run = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id]))
            of_task_run = LogFilter(task_run_id=LogFilterTaskRunId(any_=[run_id]))
            return queryset.filter(log_filter_q(of_flow_run) | log_filter_q(of_task_run)), False
        if not request.GET.get(LogFlowRunFilter.parameter_name):
            messages.warning(
                request,
                "Text search reads one run's logs: pick the run under 'By flow run id' first "
                "(searching every log's text would read the whole table).",
            )
            return queryset.none(), False
        text = LogFilter(text=LogFilterTextSearch(query=term[:200]))
        return queryset.filter(log_filter_q(text)), False

    @admin.display(description="timestamp", ordering="timestamp")
    def log_time(self, obj: Log) -> str:
        """To the millisecond, in UTC (log lines a second apart must be told apart)."""
        return obj.timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    @admin.display(description="level")
    def level_badge(self, obj: Log) -> SafeString:
        name = level_name(obj.level)
        colour = LEVEL_COLOURS.get(min(LEVELS, key=lambda level: abs(level - obj.level)))
        return format_html(
            '<span class="log-level" style="color:{};font-weight:600">{}</span>', colour, name
        )

    @admin.display(description="message")
    def short_message(self, obj: Log) -> str:
        text = obj.message
        return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "…"

    @admin.display(description="message")
    def message_block(self, obj: Log) -> SafeString:
        return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', obj.message)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return LogChangeList

    @admin.display(description="flow run")
    def flow_run(self, obj: Log) -> SafeString | str:
        if obj.flow_run_id is None:
            return "-"
        url = reverse("admin:flowruns_flowrun_change", args=[obj.flow_run_id])
        name = _run_name(obj, "flow_run_name", FlowRun, obj.flow_run_id)
        return format_html('<a href="{}" title="{}">{}</a>', url, obj.flow_run_id, name)

    @admin.display(description="task run")
    def task_run(self, obj: Log) -> SafeString | str:
        if obj.task_run_id is None:
            return "-"
        url = reverse("admin:flowruns_taskrun_change", args=[obj.task_run_id])
        name = _run_name(obj, "task_run_name", TaskRun, obj.task_run_id)
        return format_html('<a href="{}" title="{}">{}</a>', url, obj.task_run_id, name)


def _run_name(obj: Log, attribute: str, model: Any, run_id: UUID) -> str:
    """The name the list page read for the whole page (`LogChangeList`); on the detail page,
    one lookup. A run deleted since its logs were written shows its id."""
    names: dict[UUID, str] | None = getattr(obj, attribute, None)
    if names is None:
        names = dict(model.objects.filter(pk=run_id).values_list("id", "name"))
    return names.get(run_id, str(run_id))


class LogChangeList(LeanChangeList):
    """Reads the names of the page's flow runs and task runs in one query each, so the
    columns show names (and link them) without a query per row."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        rows = list(self.result_list)
        flow_runs = {row.flow_run_id for row in rows if row.flow_run_id is not None}
        task_runs = {row.task_run_id for row in rows if row.task_run_id is not None}
        flow_names = dict(FlowRun.objects.filter(id__in=flow_runs).values_list("id", "name"))
        task_names = dict(TaskRun.objects.filter(id__in=task_runs).values_list("id", "name"))
        for row in rows:
            row.flow_run_name = flow_names
            row.task_run_name = task_names


def task_run_log_lines(task_run_id: UUID, limit: int) -> SafeString:
    """The first `limit` log lines of a task run as a small table, for its admin page (one
    query on the `task_run_id` index)."""
    logs = list(
        Log.objects.filter(task_run_id=task_run_id)
        .only("timestamp", "level", "message")
        .order_by("timestamp", "id")[:limit]
    )
    if not logs:
        return format_html('<p class="task-run-log-lines">{}</p>', "No logs.")
    rows = format_html_join(
        "",
        '<tr><td style="white-space:nowrap">{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                log.timestamp.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3],
                level_name(log.level),
                log.message
                if len(log.message) <= MESSAGE_CHARS
                else log.message[:MESSAGE_CHARS] + "…",
            )
            for log in logs
        ),
    )
    caption = f"first {len(logs)} lines" if len(logs) == limit else f"{len(logs)} lines"
    return format_html(
        '<table class="task-run-log-lines"><caption>{}</caption>{}</table>', caption, rows
    )


register_task_run_logs(task_run_log_lines)
