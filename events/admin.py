"""A read-only, cheap-to-page admin for the events table (the fastest-growing table).

* no full COUNT: the project's `CheapCountPaginator`, with PostgreSQL's estimate summed over
  the daily partitions (a partitioned table has no statistics of its own);
* newest first by (occurred, id), the primary key order on PostgreSQL; detail pages look the
  event up by id (`ix_events__id`);
* filters are text boxes (name prefix, involved resource id) and fixed time ranges; the big
  JSON columns are read on the detail page only, shown pretty-printed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.contrib import admin
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString

from events.models import Event, EventResource
from events.sql.expressions import StartsWith
from events.storage.partitions import is_partitioned
from flowruns.admin.base import ReadOnlyAdmin
from flowruns.admin.filters import TextInputFilter, TimeRangeFilter
from flowruns.admin.pagination import AT_LEAST, ESTIMATE, CheapCountPaginator


def events_row_estimate(using: str) -> int | None:
    """PostgreSQL's estimate of the rows of every `events` partition (None elsewhere, or
    before any partition was analysed)."""
    if not is_partitioned(using):
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT sum(greatest(c.reltuples, 0))::bigint, max(c.reltuples) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass"
        )
        total, analysed = cursor.fetchone()
    return None if analysed is None or analysed < 0 else int(total)


class EventPaginator(CheapCountPaginator):
    @cached_property
    def count(self) -> int:
        queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        counted = queryset.order_by()[: self.max_rows + 1].count()
        if counted <= self.max_rows:
            return counted
        if not queryset.query.where:
            estimate = events_row_estimate(queryset.db)
            if estimate is not None and estimate > self.max_rows:
                self._count_kind = ESTIMATE
                return estimate
        self._count_kind = AT_LEAST
        return counted


class EventNamePrefixFilter(TextInputFilter):
    title = "event name"
    parameter_name = "event_prefix"
    placeholder = "prefix, e.g. prefect.flow-run."

    def filter_q(self, value: str) -> Q:
        return Q(StartsWith("event", value))


class InvolvedResourceFilter(TextInputFilter):
    """The primary resource or any related one, by exact id (`prefect.flow-run.<uuid>`)."""

    title = "resource id"
    parameter_name = "resource_id"
    placeholder = "prefect.flow-run.<uuid>"

    def filter_q(self, value: str) -> Q:
        related = EventResource.objects.filter(resource_id=value).values("event_id")
        return Q(resource_id=value) | Q(id__in=related)


class OccurredFilter(TimeRangeFilter):
    title = "occurred"
    parameter_name = "occurred"
    with_future = True

    def range_q(self, after: datetime | None, before: datetime | None) -> Q:
        q = Q()
        if after is not None:
            q &= Q(occurred__gte=after)
        if before is not None:
            q &= Q(occurred__lte=before)
        return q


def _pretty(value: Any) -> SafeString:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', text)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    paginator = EventPaginator
    list_display = ("occurred_at", "event", "resource_id", "id")
    list_display_links = ("occurred_at",)
    ordering = ("-occurred", "-id")
    sortable_by = ("occurred_at",)
    list_filter = (EventNamePrefixFilter, InvolvedResourceFilter, OccurredFilter)
    search_fields = ("id",)  # shows the box; `get_search_results` does the searching
    search_help_text = "An event id"
    list_per_page = 100
    changelist_defer = ("resource", "related", "related_resource_ids", "payload")
    fields = (
        "id",
        "occurred",
        "received",
        "event",
        "resource_block",
        "related_block",
        "payload_block",
        "follows_link",
    )
    readonly_fields = fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Event], search_term: str
    ) -> tuple[QuerySet[Event], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(id=UUID(term)), False
        except ValueError:
            return queryset.none(), False

    @admin.display(description="occurred", ordering="occurred")
    def occurred_at(self, obj: Event) -> str:
        return obj.occurred.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]

    @admin.display(description="resource")
    def resource_block(self, obj: Event) -> SafeString:
        return _pretty(obj.resource)

    @admin.display(description="related")
    def related_block(self, obj: Event) -> SafeString:
        return _pretty(obj.related)

    @admin.display(description="payload")
    def payload_block(self, obj: Event) -> SafeString:
        return _pretty(obj.payload)

    @admin.display(description="follows")
    def follows_link(self, obj: Event) -> SafeString | str:
        if obj.follows is None:
            return "-"
        url = reverse("admin:events_event_change", args=[obj.follows])
        return format_html('<a href="{}">{}</a>', url, obj.follows)
