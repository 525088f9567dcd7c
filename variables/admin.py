"""Variables in the admin: listed with a preview of their value, searched by name, created and
edited through the same service as the API (same name rule, same size limit)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from pydantic import TypeAdapter, ValidationError

from flowruns.admin.display import tag_list
from flowruns.api.schemas.bounds import Tags

from .models import Variable
from .rules import check_name, check_value
from .services import variable_create, variable_delete, variable_update

PREVIEW_LENGTH = 60
_tags = TypeAdapter(Tags)


class VariableForm(forms.ModelForm):
    value = forms.JSONField(
        required=False,
        help_text='Any JSON value: a string needs its quotes ("hello"); empty means null. '
        "At most 5000 bytes of compact JSON.",
    )
    tags = forms.JSONField(required=False, help_text='A JSON list of strings, e.g. ["a", "b"].')

    class Meta:
        model = Variable
        fields = ("name", "value", "tags")

    def clean_name(self) -> str:
        return _checked(check_name, self.cleaned_data["name"])

    def clean_value(self) -> Any:
        return _checked(check_value, self.cleaned_data.get("value"))

    def clean_tags(self) -> list[str]:
        tags = self.cleaned_data.get("tags")
        try:
            return list(_tags.validate_python([] if tags is None else tags))
        except ValidationError as exc:
            raise forms.ValidationError(exc.errors()[0]["msg"]) from exc


def _checked(rule: Any, value: Any) -> Any:
    try:
        return rule(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


@admin.register(Variable)
class VariableAdmin(admin.ModelAdmin):
    form = VariableForm
    list_display = ("name", "value_preview", "tag_list", "updated")
    ordering = ("name",)
    search_fields = ("name",)
    search_help_text = "Name contains…"
    readonly_fields = ("id", "created", "updated")
    fields = ("name", "value", "tags", "id", "created", "updated")
    list_per_page = 50

    @admin.display(description="value")
    def value_preview(self, obj: Variable) -> str:
        text = json.dumps(obj.value, ensure_ascii=False)
        return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"

    @admin.display(description="tags")
    def tag_list(self, obj: Variable) -> str:
        return tag_list(obj.tags)

    def save_model(self, request: HttpRequest, obj: Variable, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changes = {field: data[field] for field in form.changed_data}
            variable_update(variable=obj, changes=changes)
            return
        created = variable_create(name=data["name"], value=data["value"], tags=data["tags"])
        # The admin goes on with `obj` (its messages, the redirect): make it the saved row.
        obj.pk, obj.created, obj.updated = created.pk, created.created, created.updated
        obj._state.adding = False
        obj._state.db = created._state.db

    def delete_model(self, request: HttpRequest, obj: Variable) -> None:
        variable_delete(variable=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Variable]) -> None:
        for variable in queryset:
            variable_delete(variable=variable)
