"""Routes for events, included under /api by config.urls. Nothing here redirects: `/events`
and `/events/` both ingest."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from .views import EventViewSet

events = EventViewSet.as_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("events", events({"post": "create"})),
    path("events/", events({"post": "create_with_slash"})),
    path("events/filter", events({"post": "filter"})),
    path("events/filter/next", events({"get": "filter_next"}), name="events-filter-next"),
    path("events/count-by/<str:countable>", events({"post": "count_by"})),
]
