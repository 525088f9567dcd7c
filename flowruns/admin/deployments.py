from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.models import Deployment, DeploymentConcurrencyLease, DeploymentSchedule
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal

from .base import ReadOnlyAdmin, ReadOnlyInline
from .display import pretty_json, tag_list


class LeaseInline(ReadOnlyInline):
    """The deployment's concurrency leases: one per held slot. A lease whose expiry passed
    holds no slot; the lease reaper deletes it. No expiry: its client never renews (R9)."""

    model = DeploymentConcurrencyLease
    verbose_name = "concurrency lease"
    verbose_name_plural = "concurrency leases (one per slot in use)"
    fields = ("id", "flow_run", "created", "expires_at")
    readonly_fields = fields
    ordering = ("created",)


class ScheduleInline(ReadOnlyInline):
    """The deployment's schedules, newest-`updated` first (as the API lists them)."""

    model = DeploymentSchedule
    fields = ("id", "schedule_json", "active", "slug", "parameters_json", "updated")
    readonly_fields = fields
    ordering = ("-updated",)

    @admin.display(description="schedule")
    def schedule_json(self, obj: DeploymentSchedule) -> SafeString:
        return pretty_json(obj.schedule)

    @admin.display(description="parameters")
    def parameters_json(self, obj: DeploymentSchedule) -> SafeString:
        return pretty_json(obj.parameters)


ORCHESTRATE = ("orchestrate",)


@admin.action(description="Pause selected deployments", permissions=ORCHESTRATE)
def pause_deployments(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Deployment]
) -> None:
    """The API's pause: paused, and every auto-scheduled run deleted."""
    from deployments.services.deployments import deployment_pause

    for deployment in queryset:
        deployment_pause(deployment=deployment)
    messages.success(request, f"Paused {queryset.count()} deployment(s).")


@admin.action(description="Resume selected deployments", permissions=ORCHESTRATE)
def resume_deployments(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Deployment]
) -> None:
    from deployments.services.deployments import deployment_resume

    for deployment in queryset:
        deployment_resume(deployment=deployment)
    messages.success(request, f"Resumed {queryset.count()} deployment(s).")


@admin.action(description="Run selected deployments now", permissions=ORCHESTRATE)
def run_deployments_now(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Deployment]
) -> None:
    """One run each, SCHEDULED now, through the API's create_flow_run service (parameters
    validated against the deployment's schema)."""
    from django.utils import timezone

    from deployments.services.flow_runs import RunRequest, deployment_flow_run_create
    from flowruns.errors import DetailError

    for deployment in queryset.select_related("work_queue__work_pool"):
        request_ = RunRequest(
            state=StateProposal(
                type="SCHEDULED", name="Scheduled", details={"scheduled_time": timezone.now()}
            ),
            parameters={},
            enforce_parameter_schema=None,
            work_queue_name=None,
            job_variables={},
            labels=None,
            fields={"name": None, "tags": []},
        )
        try:
            run, _ = deployment_flow_run_create(
                deployment=deployment, request=request_, call=OrchestrationCall()
            )
        except DetailError as exc:
            messages.error(request, f"{deployment.name}: {exc.detail}")
            continue
        messages.success(request, f"{deployment.name}: flow run {run.name} scheduled now.")


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    inlines = (ScheduleInline, LeaseInline)
    actions = (pause_deployments, resume_deployments, run_deployments_now)
    list_display = (
        "name",
        "flow",
        "work_queue_name",
        "paused",
        "status",
        "concurrency_limit",
        "collision_strategy",
        "created",
        "runs",
    )
    list_select_related = ("flow",)
    list_filter = ("paused", "status")
    ordering = ("name", "id")
    sortable_by = ("name", "created")
    search_fields = ("name", "flow__name")
    search_help_text = "Deployment or flow name contains…"
    raw_id_fields = ("flow", "work_queue")
    fields = (
        "id",
        "name",
        "flow",
        "version",
        "description",
        "entrypoint",
        "path",
        "status",
        "last_polled",
        "enforce_parameter_schema",
        "parameters_json",
        "tag_list",
        "paused",
        "work_queue",
        "work_queue_name",
        "concurrency_limit",
        "collision_strategy",
        "job_variables_json",
        "created",
        "updated",
        "runs",
    )
    readonly_fields = fields

    @admin.display(description="tags")
    def tag_list(self, obj: Deployment) -> str:
        return tag_list(obj.tags)

    def has_orchestrate_permission(self, request: HttpRequest) -> bool:
        """Actions change deployments: they need the change permission Django would ask for."""
        return request.user.has_perm("flowruns.change_deployment")

    @admin.display(description="parameters")
    def parameters_json(self, obj: Deployment) -> SafeString:
        return pretty_json(obj.parameters)

    @admin.display(description="job variables")
    def job_variables_json(self, obj: Deployment) -> SafeString:
        return pretty_json(obj.job_variables)

    @admin.display(description="flow runs")
    def runs(self, obj: Deployment) -> SafeString:
        url = reverse("admin:flowruns_flowrun_changelist") + f"?deployment={obj.pk}"
        return format_html('<a href="{}">Flow runs →</a>', url)
