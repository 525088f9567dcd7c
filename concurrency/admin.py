"""Admin for concurrency limits (list with their counts; limit and active editable, written
through the service so the decay clock moves) and their leases (read-only, with expiry)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from concurrency.models import ConcurrencyLease, ConcurrencyLimitV2
from concurrency.services.decay import slots_decayed
from concurrency.services.limits import limit_update
from flowruns.admin.base import ReadOnlyAdmin

EDITABLE = ("limit", "active")


@admin.register(ConcurrencyLimitV2)
class ConcurrencyLimitAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "limit", "slots_now", "denied_slots", "slot_decay_per_second")
    list_filter = ("active",)
    search_fields = ("name",)
    ordering = ("name",)
    fields = (
        "name",
        "limit",
        "active",
        "slot_decay_per_second",
        "active_slots",
        "denied_slots",
        "avg_slot_occupancy_seconds",
        "created",
        "updated",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        computed = ("active_slots", "denied_slots", "avg_slot_occupancy_seconds")
        if obj is None:
            return (*computed, "created", "updated")
        return tuple(field for field in self.fields if field not in EDITABLE)

    @admin.display(description="slots in use")
    def slots_now(self, obj: ConcurrencyLimitV2) -> int:
        return slots_decayed(obj, timezone.now()).active

    def save_model(
        self, request: HttpRequest, obj: ConcurrencyLimitV2, form: ModelForm, change: bool
    ) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = {
            field: form.cleaned_data[field] for field in EDITABLE if field in form.changed_data
        }
        if changed:
            limit_update(obj, **changed)


@admin.register(ConcurrencyLease)
class ConcurrencyLeaseAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "slots",
        "limit_names",
        "holder_type",
        "holder_id",
        "created",
        "expires_at",
    )
    list_filter = ("holder_type",)
    ordering = ("expires_at",)
    fields = ("id", "slots", "limit_names", "holder_type", "holder_id", "created", "expires_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("limits")

    @admin.display(description="limits")
    def limit_names(self, obj: ConcurrencyLease) -> str:
        return ", ".join(sorted(limit.name for limit in obj.limits.all()))
