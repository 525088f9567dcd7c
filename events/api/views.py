"""The event routes (spec/events.md §4, §8.2-8.4). Views only translate: bodies are read by
`events.api.validation`, the work is done by `events.services` and the selectors."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from events.counting import Countable, events_count_by
from events.paging import EventPage, InvalidPageToken, events_first_page, events_next_page
from events.schemas import EventFilter
from events.services.ingest import events_ingest
from flowruns.api.schemas import responses as r
from flowruns.api.wire.body import raw_json
from flowruns.api.wire.views import PrefectViewSet
from flowruns.errors import DetailError, RequestValidationError

from .schemas import CountByBody, EventCountList, EventFilterBody, EventList, EventPageOut
from .validation import events_field_body, events_model_body, path_errors


def _page_response(request: Request, page: EventPage) -> Response:
    next_page = None
    if page.next_token is not None:
        url = request.build_absolute_uri(reverse("events-filter-next"))
        next_page = f"{url}?page-token={quote(page.next_token, safe=':')}"
    return Response({"events": page.events, "total": page.total, "next_page": next_page})


class EventViewSet(PrefectViewSet):
    @extend_schema(request=EventList, responses={204: None, 422: r.ValidationErrorResponse})
    def create(self, request: Request) -> Response:
        """Store a batch of events: all or nothing, duplicates (by id) stored once, events
        over PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES silently dropped."""
        body = events_model_body(request, EventList)
        events_ingest(body.root)
        return Response(status=204)

    @extend_schema(exclude=True)
    def create_with_slash(self, request: Request) -> Response:
        return self.create(request)

    @extend_schema(
        request=EventFilterBody, responses={200: EventPageOut, 422: r.ValidationErrorResponse}
    )
    def filter(self, request: Request) -> Response:
        """The first page of matching events (at most 50), their total and the absolute URL
        of the next page."""
        body = events_field_body(request, EventFilterBody)
        return _page_response(
            request, events_first_page(body.filter or EventFilter(), limit=body.limit)
        )

    @extend_schema(
        parameters=[OpenApiParameter("page-token", str, required=True)],
        responses={200: EventPageOut, 403: r.ErrorDetail, 422: r.ValidationErrorResponse},
    )
    def filter_next(self, request: Request) -> Response:
        """The page a `next_page` URL points at; a token that does not verify is a 403."""
        token = request.query_params.get("page-token")
        if token is None:
            error = {
                "type": "missing",
                "loc": ["query", "page-token"],
                "msg": "Field required",
                "input": None,
            }
            raise RequestValidationError([error], None)
        try:
            page = events_next_page(token)
        except InvalidPageToken:
            raise DetailError(403, "Forbidden") from None
        return _page_response(request, page)

    @extend_schema(
        request=CountByBody,
        responses={200: EventCountList, 422: r.ValidationErrorResponse},
    )
    def count_by(self, request: Request, countable: str) -> Response:
        """Events counted by day, time bucket, event name or resource."""
        errors = path_errors("countable", countable, Countable)
        try:
            body = events_field_body(request, CountByBody)
        except RequestValidationError as error:
            raise RequestValidationError([*errors, *error.errors], error.request_body) from None
        if errors:
            raise RequestValidationError(errors, _jsonable(raw_json(request)))
        counts = events_count_by(
            body.filter,
            Countable(countable),
            time_unit=body.time_unit,
            time_interval=body.time_interval,
        )
        return Response(counts)


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, dict | list | str | int | float | bool) else None
