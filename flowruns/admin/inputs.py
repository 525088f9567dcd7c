from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.models import FlowRunInput

from .base import ReadOnlyAdmin
from .filters import FlowRunIdFilter


@admin.register(FlowRunInput)
class FlowRunInputAdmin(ReadOnlyAdmin):
    list_display = ("key", "flow_run_link", "sender", "short_value", "created")
    list_select_related = ("flow_run",)
    ordering = ("-created", "-id")
    sortable_by = ("key", "created")
    list_filter = (FlowRunIdFilter,)
    search_fields = ("=key",)
    search_help_text = "Exact key"
    raw_id_fields = ("flow_run",)
    fields = ("id", "flow_run", "key", "value", "sender", "created", "updated")
    readonly_fields = fields

    @admin.display(description="flow run")
    def flow_run_link(self, obj: FlowRunInput) -> SafeString:
        url = reverse("admin:flowruns_flowrun_change", args=[obj.flow_run_id])
        return format_html('<a href="{}">{}</a>', url, obj.flow_run.name)

    @admin.display(description="value")
    def short_value(self, obj: FlowRunInput) -> str:
        return obj.value if len(obj.value) <= 120 else obj.value[:120] + "…"
