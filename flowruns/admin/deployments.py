from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.models import Deployment, DeploymentConcurrencyLease

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


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    inlines = (LeaseInline,)
    list_display = (
        "name",
        "flow",
        "work_queue_name",
        "paused",
        "concurrency_limit",
        "collision_strategy",
        "created",
        "runs",
    )
    list_select_related = ("flow",)
    list_filter = ("paused",)
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

    @admin.display(description="job variables")
    def job_variables_json(self, obj: Deployment) -> SafeString:
        return pretty_json(obj.job_variables)

    @admin.display(description="flow runs")
    def runs(self, obj: Deployment) -> SafeString:
        url = reverse("admin:flowruns_flowrun_changelist") + f"?deployment={obj.pk}"
        return format_html('<a href="{}">Flow runs →</a>', url)
