"""The base every API view builds on: Prefect's version check, error bodies and JSON."""

from __future__ import annotations

from typing import Any

from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.viewsets import GenericViewSet

from .versioning import ApiVersion, api_version, client_version


class PrefectViewSet(GenericViewSet):
    """Bodies are read by `wire.body`, never through `request.data`, so every route parses
    and validates alike; the JSON parser is declared so the OpenAPI document lists bodies."""

    parser_classes: list[Any] = [JSONParser]
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # A route whose method does not match answers 405 without looking at the header.
        method = (request.method or "").lower()
        if method in self.http_method_names and hasattr(self, method):
            self.api_version: ApiVersion | None = api_version(request)
            self.client_version: str | None = client_version(request)
