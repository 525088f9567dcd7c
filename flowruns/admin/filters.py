"""Sidebar filters that stay cheap on tables with millions of rows.

None of them builds its options from the table it filters (no `SELECT DISTINCT` over a million
runs): state types and time ranges are fixed lists, the flow, deployment, tag and run-id
filters are text boxes (with a few suggestions read from bounded queries), and every filter
compiles typed filter objects through the API's filter compiler (`flowruns.filters.compile`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from flowruns.filters.compile import flow_run_filter_q, task_run_filter_q
from flowruns.filters.schemas import (
    FlowRunFilter,
    FlowRunFilterEndTime,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterId,
    FlowRunFilterTags,
    TaskRunFilter,
    TaskRunFilterStartTime,
)
from flowruns.models import Flow, FlowRun
from flowruns.selectors.flow_run_criteria import deployment_q, flow_names_q


class TextInputFilter(admin.SimpleListFilter):
    """A text box (GET form) instead of a list of links, plus optional suggestion links.

    Subclasses implement `filter_q(value)` (return None for a value that cannot match, after
    telling the user why) and may override `suggestions()`.
    """

    template = "admin/text_input_filter.html"
    placeholder = ""
    datalist: list[str] = []

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return self.suggestions(request)

    def suggestions(self, request: HttpRequest) -> list[tuple[str, str]]:
        return []

    def has_output(self) -> bool:
        return True

    def filter_q(self, value: str) -> Q | None:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        value = (self.value() or "").strip()
        if not value:
            return queryset
        q = self.filter_q(value)
        return queryset.none() if q is None else queryset.filter(q)

    def choices(self, changelist: ChangeList) -> Iterator[Any]:
        # The form resubmits every other active parameter as a hidden field.
        self.hidden_params = [
            (key, value)
            for key, values in changelist.filter_params.items()
            if key not in (self.parameter_name, PAGE_VAR)
            for value in values
        ]
        self.clear_url = changelist.get_query_string(remove=[str(self.parameter_name)])
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string(
                    {str(self.parameter_name): lookup}, remove=[PAGE_VAR]
                ),
                "display": title,
            }


def _uuid_or_warn(request: HttpRequest, value: str, what: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        messages.warning(request, f"{what} must be a full UUID, not {value!r}.")
        return None


class FlowNameFilter(TextInputFilter):
    title = "flow"
    parameter_name = "flow"
    placeholder = "flow name"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # A bounded suggestion list for the text box (a <datalist>), not filter links.
        self.datalist = list(Flow.objects.order_by("name").values_list("name", flat=True)[:200])
        return []

    def filter_q(self, value: str) -> Q:
        return flow_names_q([value])


class DeploymentNameFilter(TextInputFilter):
    title = "deployment"
    parameter_name = "deployment"
    placeholder = "id, name or flow/name"

    def filter_q(self, value: str) -> Q:
        return deployment_q(value)


class TagFilter(TextInputFilter):
    """Runs carrying a tag; suggests the tags most used by the latest runs (read through the
    default ordering's index, never across the whole table)."""

    title = "tag"
    parameter_name = "tag"
    placeholder = "tag"
    sample_size = 1000
    top = 8

    def suggestions(self, request: HttpRequest) -> list[tuple[str, str]]:
        latest = FlowRun.objects.order_by("-expected_start_time", "-id").values_list(
            "tags", flat=True
        )[: self.sample_size]
        counts: Counter[str] = Counter(tag for tags in latest for tag in (tags or []))
        return [(tag, tag) for tag, _ in counts.most_common(self.top)]

    def filter_q(self, value: str) -> Q:
        return flow_run_filter_q(flow_runs=FlowRunFilter(tags=FlowRunFilterTags(all_=[value])))


class FlowRunIdFilter(TextInputFilter):
    """Task runs (or inputs) of one flow run, by id: `?flow_run_id=<uuid>`."""

    title = "flow run id"
    parameter_name = "flow_run_id"
    placeholder = "flow run UUID"

    def filter_q(self, value: str) -> Q | None:
        run_id = _uuid_or_warn(self.request, value, "Flow run id")
        return None if run_id is None else Q(flow_run_id=run_id)


class TaskRunFlowRunIdFilter(FlowRunIdFilter):
    def filter_q(self, value: str) -> Q | None:
        run_id = _uuid_or_warn(self.request, value, "Flow run id")
        if run_id is None:
            return None
        return task_run_filter_q(flow_runs=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))


# --- time ranges -------------------------------------------------------------------------

RANGES: dict[str, tuple[str, timedelta | None, timedelta | None]] = {
    # key: (label, after = now - a, before = now - b); None leaves that side open
    "1h": ("Past hour", timedelta(hours=1), None),
    "24h": ("Past 24 hours", timedelta(days=1), None),
    "7d": ("Past 7 days", timedelta(days=7), None),
    "30d": ("Past 30 days", timedelta(days=30), None),
    "older-30d": ("Older than 30 days", None, timedelta(days=30)),
}
FUTURE = ("future", "In the future")


class TimeRangeFilter(admin.SimpleListFilter):
    """Fixed ranges relative to now on one datetime column; subclasses say which and how
    (`range_q`)."""

    with_future = False

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = [(key, label) for key, (label, _, _) in RANGES.items()]
        return [*choices, FUTURE] if self.with_future else choices

    def range_q(self, after: datetime | None, before: datetime | None) -> Q:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        value = self.value()
        now = timezone.now()
        if value == FUTURE[0] and self.with_future:
            return queryset.filter(self.range_q(now, None))
        if value not in RANGES:
            return queryset
        _, after, before = RANGES[value]
        return queryset.filter(
            self.range_q(
                now - after if after is not None else None,
                now - before if before is not None else None,
            )
        )


class ExpectedStartFilter(TimeRangeFilter):
    title = "expected start"
    parameter_name = "expected_start"
    with_future = True

    def range_q(self, after: datetime | None, before: datetime | None) -> Q:
        bounds = FlowRunFilterExpectedStartTime(after_=after, before_=before)
        return flow_run_filter_q(flow_runs=FlowRunFilter(expected_start_time=bounds))


class EndTimeFilter(TimeRangeFilter):
    title = "end time"
    parameter_name = "ended"

    def range_q(self, after: datetime | None, before: datetime | None) -> Q:
        bounds = FlowRunFilterEndTime(after_=after, before_=before)
        return flow_run_filter_q(flow_runs=FlowRunFilter(end_time=bounds))


class TaskRunStartFilter(TimeRangeFilter):
    title = "start time"
    parameter_name = "started"

    def range_q(self, after: datetime | None, before: datetime | None) -> Q:
        bounds = TaskRunFilterStartTime(after_=after, before_=before)
        return task_run_filter_q(task_runs=TaskRunFilter(start_time=bounds))


class WhenFilter(admin.SimpleListFilter):
    """The list opens on runs that are due or done (expected start not in the future), newest
    first, rather than on next week's scheduled runs; "Upcoming" shows those, "All" clears
    it. The range is one bound on the expected-start index the default ordering reads."""

    title = "when"
    parameter_name = "show"
    DEFAULT_LABEL = "Recent and active"
    UPCOMING = "upcoming"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(self.UPCOMING, "Upcoming (scheduled)"), ("all", "All, including upcoming")]

    def choices(self, changelist: ChangeList) -> Iterator[Any]:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.DEFAULT_LABEL,
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        value, now = self.value(), timezone.now()
        if value is None and ExpectedStartFilter.parameter_name in request.GET:
            return queryset  # an expected-start range was asked for: it decides
        if value is None and request.method == "POST" and request.POST.get("select_across") != "1":
            # An action on rows picked by id (e.g. from a link to a run that has no expected
            # start yet) acts on them whatever the default view hides.
            return queryset
        if value == "all":
            return queryset
        if value == self.UPCOMING:
            return queryset.filter(expected_start_time__gt=now)
        return queryset.filter(expected_start_time__lte=now)
