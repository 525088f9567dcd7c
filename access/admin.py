"""API keys (created here, shown once; revoked here) and the deletion log (read-only)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey as LibraryAPIKey

from .models import APIKey, DeletionRecord

# The library's own key model (no user) is not used: ours ties each key to a user.
if admin.site.is_registered(LibraryAPIKey):
    admin.site.unregister(LibraryAPIKey)


@admin.register(APIKey)
class UserAPIKeyAdmin(APIKeyModelAdmin):
    """Adding a key shows it once, in a message; revoking is ticking "revoked" (final)."""

    list_display: Any = (
        "prefix",
        "name",
        "user",
        "created",
        "last_used",
        "expiry_date",
        "_has_expired",
        "revoked",
    )
    list_filter: ClassVar[Any] = ("revoked", "created")
    search_fields: ClassVar[Any] = ("name", "prefix", "user__username")
    raw_id_fields = ("user",)
    fields = ("name", "user", "prefix", "expiry_date", "revoked", "created", "last_used")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = (*super().get_readonly_fields(request, obj), "created", "last_used")
        return (*fields, "user") if obj is not None else fields


@admin.register(DeletionRecord)
class DeletionRecordAdmin(admin.ModelAdmin):
    """Who deleted what: written by the delete services, never edited."""

    list_display = ("created", "actor", "kind", "count", "description", "first_ids")
    list_filter = ("kind",)
    search_fields = ("=actor", "actor", "description")
    date_hierarchy = "created"
    fields = ("created", "actor", "kind", "count", "description", "object_ids")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="ids")
    def first_ids(self, obj: DeletionRecord) -> str:
        ids = list(obj.object_ids or [])
        more = f" and {len(ids) - 3} more" if len(ids) > 3 else ""
        return ", ".join(ids[:3]) + more

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
