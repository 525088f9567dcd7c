"""django-filter FilterSets for the conventional REST list endpoints (`GET /api/flow_runs/`,
`GET /api/flows/`), which sit beside Prefect's POST filter routes.

Every filter is declared explicitly. Repeated `tag` parameters must all be present on the row
(the same JSON-list lookup as the filter language's `tags.all_`); repeated `state_type`
parameters are alternatives. Datetimes are read in UTC: an offset PostgreSQL would refuse
(beyond ±15:59) is converted, and one that leaves the calendar (`9999-12-31T23:59:59-01:00`)
is a 400 naming the parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters as df
from django import forms
from django.db.models import F, QuerySet

from flowruns.models import STATE_TYPE_CHOICES, Flow, FlowRun

from .lookups import JSONListContainsAll


class MultipleValueField(forms.Field):
    """Every value of a repeated query parameter, as a list of strings."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            return [value]
        return [str(item) for item in value]


class UTCDateTimeField(df.fields.IsoDateTimeField):
    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(
                "Enter a date/time that stays within years 1 to 9999 in UTC.", code="invalid"
            ) from None


class UTCDateTimeFilter(df.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class TagsFilter(df.Filter):
    """`?tag=a&tag=b`: rows whose JSON tag list holds every given tag."""

    field_class = MultipleValueField

    def filter(self, qs: QuerySet[Any], value: list[str]) -> QuerySet[Any]:
        if not value:
            return qs
        return qs.filter(JSONListContainsAll(F(self.field_name), value))


class FlowRunFilterSet(df.FilterSet):
    state_type = df.MultipleChoiceFilter(field_name="state_type", choices=STATE_TYPE_CHOICES)
    state_name = df.CharFilter(field_name="state_name")
    flow = df.UUIDFilter(field_name="flow_id")
    flow_name = df.CharFilter(field_name="flow__name")
    deployment = df.UUIDFilter(field_name="deployment_id")
    tag = TagsFilter(field_name="tags")
    name = df.CharFilter(field_name="name", lookup_expr="icontains")
    start_time_after = UTCDateTimeFilter(field_name="start_time", lookup_expr="gte")
    start_time_before = UTCDateTimeFilter(field_name="start_time", lookup_expr="lte")
    expected_start_time_after = UTCDateTimeFilter(
        field_name="expected_start_time", lookup_expr="gte"
    )
    expected_start_time_before = UTCDateTimeFilter(
        field_name="expected_start_time", lookup_expr="lte"
    )
    end_time_after = UTCDateTimeFilter(field_name="end_time", lookup_expr="gte")
    end_time_before = UTCDateTimeFilter(field_name="end_time", lookup_expr="lte")
    created_after = UTCDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created", lookup_expr="lte")

    class Meta:
        model = FlowRun
        fields: list[str] = []


class FlowFilterSet(df.FilterSet):
    name = df.CharFilter(field_name="name", lookup_expr="icontains")
    tag = TagsFilter(field_name="tags")

    class Meta:
        model = Flow
        fields: list[str] = []
