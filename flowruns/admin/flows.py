from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from flowruns.filters.compile import flow_filter_q
from flowruns.filters.schemas import FlowFilter, FlowFilterName
from flowruns.models import Flow

from .base import ReadOnlyAdmin
from .display import tag_list


@admin.register(Flow)
class FlowAdmin(ReadOnlyAdmin):
    list_display = ("name", "tag_list", "created", "runs")
    ordering = ("name",)
    sortable_by = ("name",)
    search_fields = ("name",)
    search_help_text = "Name contains…"
    fields = ("id", "name", "tag_list", "labels", "created", "updated", "runs")
    readonly_fields = fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Flow], search_term: str
    ) -> tuple[QuerySet[Flow], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        q = flow_filter_q(flows=FlowFilter(name=FlowFilterName(like_=term)))
        return queryset.filter(q), False

    @admin.display(description="tags")
    def tag_list(self, obj: Flow) -> str:
        return tag_list(obj.tags)

    @admin.display(description="flow runs")
    def runs(self, obj: Flow) -> SafeString:
        url = reverse("admin:flowruns_flowrun_changelist") + "?" + urlencode({"flow": obj.name})
        return format_html('<a href="{}">Flow runs →</a>', url)
