"""Routes for task runs and flow-run graphs (included by flowruns.api.urls)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
