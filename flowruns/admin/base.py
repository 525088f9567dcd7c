"""What every admin page over a potentially huge table shares."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest

from .pagination import CheapCountPaginator


class LeanChangeList(ChangeList):
    """Leaves the model admin's `changelist_defer` columns (big JSON documents) unread on the
    list page; the detail page still reads them."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        queryset = super().get_queryset(request, exclude_parameters)
        defer = getattr(self.model_admin, "changelist_defer", ())
        return queryset.defer(*defer) if defer else queryset


class LargeTableAdmin(admin.ModelAdmin):
    """No full-table COUNT (see `pagination`), no facet counts, bounded "show all"."""

    paginator = CheapCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 200
    changelist_defer: tuple[str, ...] = ()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return LeanChangeList


class ReadOnlyAdmin(LargeTableAdmin):
    """Rows are written by the API's services only: the admin shows them (view permission)
    and changes runs through actions. Django's delete would load every related row through
    its cascade collector and leave logs behind; retention is the commands' job."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
