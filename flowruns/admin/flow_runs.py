"""The flow-run admin: a list that stays fast with a million runs, a read-only detail page,
and state changes only through the orchestration actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.errors import DetailError
from flowruns.filters.compile import flow_run_filter_q
from flowruns.filters.schemas import (
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterIdempotencyKey,
    FlowRunFilterName,
)
from flowruns.models import Deployment, FlowRun
from flowruns.selectors.graphs import flow_run_graph

from .actions import FLOW_RUN_ACTIONS
from .base import ReadOnlyAdmin
from .charts.timeline import run_timeline
from .display import pretty_json, run_duration, state_badge, tag_list
from .filters import (
    DeploymentNameFilter,
    EndTimeFilter,
    ExpectedStartFilter,
    FlowNameFilter,
    TagFilter,
    WhenFilter,
)
from .flow_run_inlines import FlowRunInputInline, FlowRunStateInline, TaskRunInline

# The detail page's sections.
SUMMARY_FIELDS = (
    "id",
    "name",
    "flow_link",
    "current_state",
    "deployment",
    "work_queue_name",
    "tag_list",
    "logs",
    "task_runs",
)
TIMING_FIELDS = (
    "expected_start_time",
    "next_scheduled_start_time",
    "start_time",
    "end_time",
    "duration",
    "run_count",
    "created",
    "updated",
)
DOCUMENT_FIELDS = ("parameters_json", "context_json", "policy_json", "job_variables_json")
MORE_FIELDS = (
    "idempotency_key",
    "infrastructure_pid",
    "flow_version",
    "deployment_version",
    "parent_task_run",
    "auto_scheduled",
    "labels_json",
    "created_by_json",
)


def flow_run_search_q(term: str) -> Q:
    """The search box: a full UUID finds that run, `key:<k>` finds the runs with that
    idempotency key, anything else matches names containing it (trigram-indexed on
    PostgreSQL). Searching names and keys together would OR an unindexed column in."""
    try:
        run_id = UUID(term)
    except ValueError:
        pass
    else:
        return flow_run_filter_q(flow_runs=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
    if term.lower().startswith("key:"):
        key = FlowRunFilterIdempotencyKey(any_=[term[4:].strip()])
        # served by ix_flow_run__idempotency_key
        return flow_run_filter_q(flow_runs=FlowRunFilter(idempotency_key=key))
    return flow_run_filter_q(flow_runs=FlowRunFilter(name=FlowRunFilterName(like_=term)))


@admin.register(FlowRun)
class FlowRunAdmin(ReadOnlyAdmin):
    # Fits a 1400 px screen next to the filters (asserted in the browser test); the end time
    # is on the run page and in the "end time" filter.
    list_display = (
        "name",
        "flow",
        "current_state",
        "expected_start_time",
        "start_time",
        "duration",
        "run_count",
        "short_tags",
    )
    list_select_related = ("flow",)
    # Sorting only where an index serves ORDER BY ... LIMIT.
    sortable_by = ("name", "expected_start_time", "start_time", "end_time")
    ordering = ("-expected_start_time", "-id")
    changelist_defer = (
        "parameters",
        "context",
        "empirical_policy",
        "job_variables",
        "created_by",
        "labels",
    )
    list_filter = (
        WhenFilter,
        ("state_type", admin.ChoicesFieldListFilter),
        FlowNameFilter,
        DeploymentNameFilter,
        TagFilter,
        ExpectedStartFilter,
        EndTimeFilter,
    )
    search_fields = ("name",)  # shows the box; `get_search_results` does the searching
    search_help_text = "Name contains…, a full run id, or key:<idempotency key>"
    actions = FLOW_RUN_ACTIONS
    inlines = (FlowRunStateInline, FlowRunInputInline, TaskRunInline)
    fieldsets = (
        (None, {"fields": SUMMARY_FIELDS}),
        ("Timeline", {"fields": ("timeline",)}),
        ("Timing", {"fields": TIMING_FIELDS}),
        ("Parameters and context", {"fields": DOCUMENT_FIELDS}),
        ("More", {"classes": ("collapse",), "fields": MORE_FIELDS}),
    )
    # The detail page edits nothing: every field it shows is read-only.
    readonly_fields = (*SUMMARY_FIELDS, "timeline", *TIMING_FIELDS, *DOCUMENT_FIELDS, *MORE_FIELDS)
    # The dashboard's chart links each bar to the runs expected in its bucket.
    BUCKET_LOOKUPS = ("expected_start_time__gte", "expected_start_time__lt")

    def get_ordering(self, request: HttpRequest) -> Any:
        """Upcoming runs soonest first (the expected-start index read backwards); every other
        view newest first. A column the operator sorts by still wins."""
        if request.GET.get(WhenFilter.parameter_name) == WhenFilter.UPCOMING:
            return ("expected_start_time", "id")
        return super().get_ordering(request)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup in self.BUCKET_LOOKUPS or super().lookup_allowed(lookup, value, request)

    def has_orchestrate_permission(self, request: HttpRequest) -> bool:
        """Actions change runs: they need the change permission Django would ask for."""
        return request.user.has_perm("flowruns.change_flowrun")

    def has_remove_permission(self, request: HttpRequest) -> bool:
        """The delete action needs Django's delete permission (the form's delete stays off)."""
        return request.user.has_perm("flowruns.delete_flowrun")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[FlowRun], search_term: str
    ) -> tuple[QuerySet[FlowRun], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(flow_run_search_q(term)), False

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, TaskRunInline) and obj is not None:
            kwargs["queryset"] = inline.first_task_runs(kwargs["queryset"], obj)
        return kwargs

    # --- columns and fields ---------------------------------------------------------------

    @admin.display(description="state")
    def current_state(self, obj: FlowRun) -> SafeString:
        return state_badge(obj.state_type, obj.state_name)

    @admin.display(description="duration")
    def duration(self, obj: FlowRun) -> str:
        return run_duration(obj.state_type, obj.start_time, obj.total_run_time)

    @admin.display(description="tags")
    def tag_list(self, obj: FlowRun) -> str:
        return tag_list(obj.tags)

    @admin.display(description="tags")
    def short_tags(self, obj: FlowRun) -> SafeString | str:
        """The first three tags; the rest are counted (all of them in the tooltip)."""
        tags = obj.tags or []
        if len(tags) <= 3:
            return tag_list(tags)
        return format_html(
            '<span title="{}">{} +{}</span>', tag_list(tags), tag_list(tags[:3]), len(tags) - 3
        )

    @admin.display(description="timeline")
    def timeline(self, obj: FlowRun) -> SafeString | str:
        """States and task runs on a time axis, as served SVG (graph v2's nodes)."""
        try:
            graph = flow_run_graph(obj.pk)
        except DetailError as error:
            return str(error)
        return run_timeline(graph, now=timezone.now()) or "-"

    @admin.display(description="flow")
    def flow_link(self, obj: FlowRun) -> SafeString:
        url = reverse("admin:flowruns_flow_change", args=[obj.flow_id])
        return format_html('<a href="{}">{}</a>', url, obj.flow.name)

    @admin.display(description="deployment")
    def deployment(self, obj: FlowRun) -> SafeString | str:
        if obj.deployment_id is None:
            return "-"
        deployment = Deployment.objects.filter(pk=obj.deployment_id).only("name").first()
        if deployment is None:
            return f"{obj.deployment_id} (deleted)"
        url = reverse("admin:flowruns_deployment_change", args=[deployment.pk])
        return format_html('<a href="{}">{}</a>', url, deployment.name)

    @admin.display(description="logs")
    def logs(self, obj: FlowRun) -> SafeString:
        admin_url = reverse("admin:logs_app_log_changelist") + f"?flow_run_id={obj.pk}"
        csv_url = f"/api/flow_runs/{obj.pk}/logs/download"
        return format_html(
            '<a href="{}" class="run-logs">Logs of this run</a> · '
            '<a href="{}" class="run-logs-csv">Download CSV</a>',
            admin_url,
            csv_url,
        )

    @admin.display(description="task runs")
    def task_runs(self, obj: FlowRun) -> SafeString:
        url = reverse("admin:flowruns_taskrun_changelist") + f"?flow_run_id={obj.pk}"
        return format_html('<a href="{}">All task runs of this run</a>', url)

    @admin.display(description="parameters")
    def parameters_json(self, obj: FlowRun) -> SafeString:
        return pretty_json(obj.parameters)

    @admin.display(description="context")
    def context_json(self, obj: FlowRun) -> SafeString:
        return pretty_json(obj.context)

    @admin.display(description="empirical policy")
    def policy_json(self, obj: FlowRun) -> SafeString:
        return pretty_json(obj.empirical_policy)

    @admin.display(description="job variables")
    def job_variables_json(self, obj: FlowRun) -> SafeString:
        return pretty_json(obj.job_variables)

    @admin.display(description="labels")
    def labels_json(self, obj: FlowRun) -> SafeString:
        return pretty_json(obj.labels)

    @admin.display(description="created by")
    def created_by_json(self, obj: FlowRun) -> SafeString:
        return pretty_json(obj.created_by)
