"""Pagination of the conventional REST list endpoints (`GET /api/flow_runs/`, `/api/flows/`)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination


class ListPagination(LimitOffsetPagination):
    """`?limit=&offset=`; the page size is capped like Prefect's filter routes."""

    default_limit = 50

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        return int(settings.PREFECT_API_DEFAULT_LIMIT)
