"""Pagination of the conventional REST list endpoints (`GET /api/flow_runs/`, `/api/flows/`)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from flowruns.api.schemas.bounds import MAX_INTEGER
from flowruns.errors import RequestValidationError


class ListPagination(LimitOffsetPagination):
    """`?limit=&offset=`; the page size is capped like Prefect's filter routes."""

    default_limit = 50

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        return int(settings.PREFECT_API_DEFAULT_LIMIT)

    def get_offset(self, request: Request) -> int:
        offset = super().get_offset(request)
        if offset > MAX_INTEGER:
            error = {
                "type": "less_than_equal",
                "loc": ["query", self.offset_query_param],
                "msg": f"Input should be less than or equal to {MAX_INTEGER}",
                "input": request.query_params[self.offset_query_param],
                "ctx": {"le": MAX_INTEGER},
            }
            raise RequestValidationError([error], None)
        return offset
