from __future__ import annotations

from django.contrib import admin

from flowruns.models import WorkPool, WorkQueue

from .base import ReadOnlyAdmin


@admin.register(WorkPool)
class WorkPoolAdmin(ReadOnlyAdmin):
    list_display = ("name", "type", "is_paused", "concurrency_limit", "created")
    list_filter = ("is_paused",)
    ordering = ("name",)
    search_fields = ("name",)
    fields = (
        "id",
        "name",
        "type",
        "description",
        "is_paused",
        "concurrency_limit",
        "base_job_template",
        "created",
        "updated",
    )
    readonly_fields = fields


@admin.register(WorkQueue)
class WorkQueueAdmin(ReadOnlyAdmin):
    list_display = ("name", "work_pool", "priority", "is_paused", "concurrency_limit", "created")
    list_select_related = ("work_pool",)
    list_filter = ("is_paused",)
    ordering = ("work_pool__name", "priority", "name")
    search_fields = ("name", "work_pool__name")
    search_help_text = "Queue or pool name contains…"
    raw_id_fields = ("work_pool",)
    fields = (
        "id",
        "name",
        "work_pool",
        "description",
        "priority",
        "is_paused",
        "concurrency_limit",
        "created",
        "updated",
    )
    readonly_fields = fields
