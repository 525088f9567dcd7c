"""Read-only admin for the background services: one row per service (its last pass, what it
changed, which process runs it) and the history of passes that changed or failed something.

The history is small (a week, capped: `background.records`) but written every few seconds; it
uses the project's cheap-count paginator all the same and filters by fixed lists only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.admin.base import ReadOnlyAdmin

from .models import ServiceRun, ServiceState

SHORT_CHARS = 160


def short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    more = len(text.strip().splitlines()) > 1 or len(first) > SHORT_CHARS
    return first[:SHORT_CHARS] + (" …" if more else "")


def block(text: str) -> SafeString:
    return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', text or "-")


def last_error_line(text: str) -> str:
    """A traceback's last line says what went wrong."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


@admin.register(ServiceState)
class ServiceStateAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "enabled",
        "every",
        "last_started",
        "duration",
        "last_examined",
        "last_changed",
        "last_failed",
        "last_outcome",
        "last_activity",
        "leader",
    )
    list_filter = ("enabled",)
    fields = (
        "name",
        "enabled",
        "every",
        "last_started",
        "duration",
        "last_examined",
        "last_changed",
        "last_failed",
        "notes_block",
        "error_block",
        "last_activity",
        "leader",
        "updated",
        "history_link",
    )
    readonly_fields = fields

    @admin.display(description="interval")
    def every(self, obj: ServiceState) -> str:
        return f"{obj.interval_seconds:g} s"

    @admin.display(description="duration", ordering="last_duration_ms")
    def duration(self, obj: ServiceState) -> str:
        return "-" if obj.last_duration_ms is None else f"{obj.last_duration_ms} ms"

    @admin.display(description="last pass")
    def last_outcome(self, obj: ServiceState) -> str:
        if obj.last_error:
            return "raised: " + short(last_error_line(obj.last_error))
        return short(obj.last_notes) or ("nothing to do" if obj.last_started else "never ran")

    @admin.display(description="run by")
    def leader(self, obj: ServiceState) -> str:
        return f"{obj.host} pid {obj.pid}" if obj.pid else "-"

    @admin.display(description="notes")
    def notes_block(self, obj: ServiceState) -> SafeString:
        return block(obj.last_notes)

    @admin.display(description="error")
    def error_block(self, obj: ServiceState) -> SafeString:
        return block(obj.last_error)

    @admin.display(description="history")
    def history_link(self, obj: ServiceState) -> SafeString:
        url = reverse("admin:background_servicerun_changelist") + f"?service={obj.name}"
        return format_html('<a href="{}">passes that changed or failed something</a>', url)


class ServiceFilter(admin.SimpleListFilter):
    title = "service"
    parameter_name = "service"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = ServiceState.objects.order_by("name").values_list("name", flat=True)
        return [(name, name) for name in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ServiceRun]) -> Any:
        value = self.value()
        return queryset.filter(service=value) if value else queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("raised", "the pass raised"), ("failed", "some runs failed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ServiceRun]) -> Any:
        if self.value() == "raised":
            return queryset.exclude(error="")
        if self.value() == "failed":
            return queryset.filter(failed__gt=0)
        return queryset


@admin.register(ServiceRun)
class ServiceRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started",
        "service",
        "duration",
        "examined",
        "changed",
        "failed",
        "outcome",
        "run_by",
    )
    list_filter = (ServiceFilter, OutcomeFilter)
    ordering = ("-started", "-id")
    sortable_by = ("started",)
    list_per_page = 100
    fields = (
        "service",
        "started",
        "duration",
        "examined",
        "changed",
        "failed",
        "notes_block",
        "error_block",
        "run_by",
    )
    readonly_fields = fields

    @admin.display(description="duration")
    def duration(self, obj: ServiceRun) -> str:
        return f"{obj.duration_ms} ms"

    @admin.display(description="what happened")
    def outcome(self, obj: ServiceRun) -> str:
        if obj.error:
            return "raised: " + short(last_error_line(obj.error))
        return short(obj.notes) or f"changed {obj.changed}"

    @admin.display(description="run by")
    def run_by(self, obj: ServiceRun) -> str:
        return f"{obj.host} pid {obj.pid}" if obj.pid else "-"

    @admin.display(description="notes")
    def notes_block(self, obj: ServiceRun) -> SafeString:
        return block(obj.notes)

    @admin.display(description="error")
    def error_block(self, obj: ServiceRun) -> SafeString:
        return block(obj.error)
