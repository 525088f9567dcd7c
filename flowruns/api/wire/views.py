"""The base every API view builds on: Prefect's version check, error bodies and JSON."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.viewsets import GenericViewSet

from .errors import RequestValidationError
from .json_input import parameter_errors
from .versioning import ApiVersion, api_version, client_version


class RouteMetadata(SimpleMetadata):
    """`OPTIONS` on any route: its name and media types, the `Allow` header listing its
    methods. No serializer introspection: bodies are pydantic models (see /api/schema/)."""

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        return {}


class PrefectViewSet(GenericViewSet):
    """Bodies are read by `wire.body`, never through `request.data`, so every route parses
    and validates alike; the JSON parser is declared so the OpenAPI document lists bodies."""

    parser_classes: list[Any] = [JSONParser]
    metadata_class = RouteMetadata
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # A route whose method does not match answers 405 without looking at the header.
        method = (request.method or "").lower()
        if method in self.http_method_names and hasattr(self, method):
            errors = parameter_errors("path", kwargs) + parameter_errors(
                "query", request.query_params
            )
            if errors:
                raise RequestValidationError(errors, None)
            self.api_version: ApiVersion | None = api_version(request)
            self.client_version: str | None = client_version(request)
