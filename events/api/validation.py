"""Validation errors as FastAPI renders them for the event routes.

FastAPI serialises the `ValueError` in a custom validator's `ctx.error` as `{}`
(spec/events.md §4); the shared converter renders its message, so it is replaced here.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from rest_framework.request import Request

from flowruns.api.wire.body import convert_errors, field_body, model_body
from flowruns.errors import RequestValidationError

M = TypeVar("M", bound=BaseModel)


def _fastapi_ctx(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for error in errors:
        if error["type"] == "value_error" and "error" in error.get("ctx", {}):
            error["ctx"]["error"] = {}
    return errors


def events_model_body(request: Request, model: type[M]) -> M:
    try:
        return model_body(request, model)
    except RequestValidationError as error:
        _fastapi_ctx(error.errors)
        raise


def events_field_body(request: Request, model: type[M]) -> M:
    try:
        return field_body(request, model)
    except RequestValidationError as error:
        _fastapi_ctx(error.errors)
        raise


def path_errors(name: str, value: str, type_: Any) -> list[dict[str, Any]]:
    """The errors of one path parameter (`loc: ["path", name]`), none when it is valid."""
    try:
        TypeAdapter(type_).validate_python(value)
    except ValidationError as error:
        return convert_errors(error, prefix=("path", name))
    return []
