"""Admin pages for work pools (with their queues and workers inline), queues and workers.
Read-only detail pages; pausing and resuming go through the same services as the API's
PATCH, so statuses move exactly as there (spec/work_pools.md §3.6, §4.4)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from flowruns.admin.base import ReadOnlyAdmin, ReadOnlyInline
from flowruns.models import Worker, WorkPool, WorkQueue

from .models import FlowRunClaim
from .services.pools import work_pool_pause
from .services.queues import work_queue_pause

ORCHESTRATE = ("orchestrate",)


class QueueInline(ReadOnlyInline):
    model = WorkQueue
    fk_name = "work_pool"
    fields = ("name", "priority", "status", "is_paused", "concurrency_limit", "last_polled")
    readonly_fields = fields
    ordering = ("priority", "name")
    show_change_link = True


class WorkerInline(ReadOnlyInline):
    model = Worker
    fields = ("name", "status", "last_heartbeat_time", "heartbeat_interval_seconds")
    readonly_fields = fields
    ordering = ("-last_heartbeat_time",)


def _pause(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any], *, paused: bool) -> None:
    count = 0
    for row in queryset:
        if queryset.model is WorkPool:
            work_pool_pause(pool=row, paused=paused)
        else:
            work_queue_pause(queue=row, paused=paused)
        count += 1
    verb = "Paused" if paused else "Resumed"
    messages.success(request, f"{verb} {count} {queryset.model._meta.verbose_name_plural}.")


@admin.action(description="Pause selected", permissions=ORCHESTRATE)
def pause_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    _pause(modeladmin, request, queryset, paused=True)


@admin.action(description="Resume selected", permissions=ORCHESTRATE)
def resume_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    _pause(modeladmin, request, queryset, paused=False)


class _Orchestrated(ReadOnlyAdmin):
    actions = (pause_selected, resume_selected)
    change_permission = ""

    def has_orchestrate_permission(self, request: HttpRequest) -> bool:
        """Pausing changes the row: it needs the change permission Django would ask for."""
        return request.user.has_perm(self.change_permission)


@admin.register(WorkPool)
class WorkPoolAdmin(_Orchestrated):
    change_permission = "flowruns.change_workpool"
    list_display = ("name", "type", "status", "is_paused", "concurrency_limit", "created")
    list_filter = ("status", "is_paused")
    ordering = ("name",)
    search_fields = ("name",)
    inlines = (QueueInline, WorkerInline)
    fields = (
        "id",
        "name",
        "type",
        "description",
        "status",
        "is_paused",
        "concurrency_limit",
        "default_queue",
        "base_job_template",
        "storage_configuration",
        "last_transitioned_status_at",
        "created",
        "updated",
    )
    readonly_fields = fields


@admin.register(WorkQueue)
class WorkQueueAdmin(_Orchestrated):
    change_permission = "flowruns.change_workqueue"
    list_display = (
        "name",
        "work_pool",
        "priority",
        "status",
        "is_paused",
        "concurrency_limit",
        "last_polled",
    )
    list_select_related = ("work_pool",)
    list_filter = ("status", "is_paused")
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
        "status",
        "is_paused",
        "concurrency_limit",
        "last_polled",
        "filter",
        "created",
        "updated",
    )
    readonly_fields = fields


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "work_pool",
        "status",
        "last_heartbeat_time",
        "heartbeat_interval_seconds",
    )
    list_select_related = ("work_pool",)
    list_filter = ("status",)
    ordering = ("-last_heartbeat_time",)
    search_fields = ("name", "work_pool__name")
    fields = (
        "id",
        "name",
        "work_pool",
        "status",
        "last_heartbeat_time",
        "heartbeat_interval_seconds",
        "created",
        "updated",
    )
    readonly_fields = fields


@admin.register(FlowRunClaim)
class FlowRunClaimAdmin(ReadOnlyAdmin):
    """Which scheduled runs are reserved for the worker that polled them, until when."""

    list_display = ("flow_run", "claimed_at", "expires_at")
    raw_id_fields = ("flow_run",)
    ordering = ("-expires_at",)
    fields = ("flow_run", "claimed_at", "expires_at")
    readonly_fields = fields
