"""Reading and validating JSON request bodies the way Prefect's FastAPI server does.

Two styles exist (spec/api.md §1.2): a *model body*, where the whole document is one object that
forbids unknown keys, and a *field body*, where the top-level keys are separate parameters and
unknown ones are ignored. Like Prefect's, a body is parsed as JSON when its Content-Type is
JSON (`application/json`, `application/*+json`) or absent; any other type (`text/plain`, a
form) is taken as raw text, which no route accepts (422), so a web page cannot make a browser
post a "simple" cross-site request. A chunked body that reached Django unread is a 411.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from rest_framework.request import Request

from .errors import DetailError, RequestValidationError
from .json_input import parse_json

M = TypeVar("M", bound=BaseModel)

_EMPTY = object()


def _is_json(content_type: str) -> bool:
    main, _, sub = content_type.strip().lower().partition("/")
    return not main or (main == "application" and (sub == "json" or sub.endswith("+json")))


def raw_json(request: Request, *, nul_stripped: frozenset[str] = frozenset()) -> Any:
    """The parsed body, `_EMPTY` for no body; invalid JSON raises the 422 Prefect gives.
    NUL characters are refused, except in string values under a key of `nul_stripped`,
    which lose them."""
    django_request = request._request
    raw = django_request.body  # honours DATA_UPLOAD_MAX_MEMORY_SIZE (413)
    if not raw and _unread_chunked(django_request.META):
        raise DetailError(411, "Length Required")
    if not raw.strip():
        return _EMPTY
    if not _is_json(django_request.content_type or ""):
        return raw.decode("utf-8", errors="replace")
    try:
        return parse_json(raw, nul_stripped=nul_stripped)
    except (ValueError, UnicodeDecodeError) as exc:
        text = raw.decode("utf-8", errors="replace")
        error = {
            "type": "json_invalid",
            "loc": ["body", getattr(exc, "pos", 0)],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": getattr(exc, "msg", str(exc))},
        }
        raise RequestValidationError([error], text) from exc


def _unread_chunked(meta: Any) -> bool:
    """A chunked body under a WSGI server that gives Django no length (the ASGI bridge
    measures it, `config.wsgi_bridge`)."""
    chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked and not meta.get("CONTENT_LENGTH")


def _jsonable_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in ctx.items():
        if isinstance(value, Exception):
            out[key] = str(value)
        elif isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


def _jsonable_input(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def convert_errors(
    exc: ValidationError, *, prefix: tuple[str | int, ...] = ("body",), field_body: bool = False
) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = [*prefix, *err["loc"]]
        entry: dict[str, Any] = {
            "type": err["type"],
            "loc": loc,
            "msg": err["msg"],
            "input": _jsonable_input(err.get("input")),
        }
        # FastAPI validates each field of a field body separately: a missing one has no input.
        if field_body and err["type"] == "missing" and len(err["loc"]) == 1:
            entry["input"] = None
        if err.get("ctx"):
            entry["ctx"] = _jsonable_ctx(err["ctx"])
        errors.append(entry)
    return errors


def validate(model: type[M], data: Any, *, field_body: bool, request_body: Any = None) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        body = data if request_body is None else request_body
        raise RequestValidationError(convert_errors(exc, field_body=field_body), body) from exc


def model_body(
    request: Request, model: type[M], *, nul_stripped: frozenset[str] = frozenset()
) -> M:
    """A single-model body: missing body → 422 `missing` at `["body"]`."""
    data = raw_json(request, nul_stripped=nul_stripped)
    if data is _EMPTY:
        error = {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
        raise RequestValidationError([error], None)
    return validate(model, data, field_body=False)


def field_body(request: Request, model: type[M]) -> M:
    """A body of independent fields: no body means all defaults; a non-object body reports
    every required field as missing."""
    data = raw_json(request)
    if data is _EMPTY:
        data = {}
    if not isinstance(data, dict):
        # FastAPI cannot pick parameters out of a non-object: every one of them is missing.
        errors = [
            {
                "type": "missing",
                "loc": ["body", f.alias or name],
                "msg": "Field required",
                "input": None,
            }
            for name, f in model.model_fields.items()
        ]
        raise RequestValidationError(errors, data)
    # FastAPI reads an explicit null for a top-level parameter as "not given": the default
    # applies, or `missing` for a required one (the CLI sends `"sort": null, "limit": null`).
    data = {key: value for key, value in data.items() if value is not None}
    return validate(model, data, field_body=True)
