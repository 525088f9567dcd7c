"""Error bodies, and the `responses` mapping a route documents with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    detail: str


class ValidationErrorEntry(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    input: Any
    ctx: dict[str, Any] | None = None


class ValidationErrorResponse(BaseModel):
    exception_message: str
    exception_detail: list[ValidationErrorEntry]
    request_body: Any


class ExceptionMessage(BaseModel):
    exception_message: str


def answers(
    ok: Mapping[Any, Any], *errors: int, not_found: type[BaseModel] = ErrorDetail
) -> dict[Any, Any]:
    """`extend_schema(responses=...)` for a route: its success bodies `ok`, then the body of
    each error status it can answer. 422 is a validation error; 400, 404 and 409 are
    `{"detail": ...}`, except a 404 raised as ObjectNotFound (`not_found=ExceptionMessage`)."""
    bodies = {400: ErrorDetail, 404: not_found, 409: ErrorDetail, 422: ValidationErrorResponse}
    return {**ok, **{status: bodies[status] for status in errors}}
