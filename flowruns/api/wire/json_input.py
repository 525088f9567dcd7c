"""Parsing a JSON request body into values the database can hold.

PostgreSQL cannot store a NUL character (`\\u0000`) or a lone UTF-16 surrogate (`\\ud800`) in
text or jsonb, Python cannot encode a lone surrogate back to UTF-8, `NaN`/`Infinity` (and
`1e400`, which parses as infinity) are not JSON, and a deeply nested document exhausts the
parser's recursion. Each is refused here, once, for every route that reads a JSON body, with a
422 whose `loc` names where the value is (spec/api.md §1.4).

The checks cost nothing on ordinary bodies: the document is walked only when its raw bytes can
hold one of these (an escape `\\u0000` or `\\ud...`, a non-finite number, many brackets).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flowruns.errors import RequestValidationError

# The deepest nesting of arrays and objects a body may have (documented in the README).
MAX_JSON_DEPTH = 64

_SUSPICIOUS_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUL_MSG = "Value error, text may not contain NUL characters (\\u0000)"
_SURROGATE_MSG = "Value error, text may not contain lone UTF-16 surrogates (\\ud800-\\udfff)"

Loc = tuple[str | int, ...]


class _Flags:
    def __init__(self) -> None:
        self.non_finite = False


def _error(kind: str, loc: Loc, msg: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "loc": [echo(part) for part in loc], "msg": msg, "input": echo(value)}


def text_error(text: str, loc: Loc, *, key: bool = False) -> dict[str, Any] | None:
    """The error for a string PostgreSQL cannot store (`loc` in full, e.g. `("query",
    "name")`), None for a good one."""
    where = " in an object key" if key else ""
    if "\x00" in text:
        return _error("string_nul", loc, _NUL_MSG + where, text)
    if _SURROGATE.search(text):
        return _error("string_surrogate", loc, _SURROGATE_MSG + where, text)
    return None


def echo(value: Any) -> Any:
    """`value` made renderable: lone surrogates become U+FFFD, non-finite numbers strings."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [echo(item) for item in value]
    if isinstance(value, dict):
        return {echo(key): echo(item) for key, item in value.items()}
    return value


def _walk(document: Any, nul_stripped: frozenset[str]) -> dict[str, Any] | None:
    """The first unstorable value in `document` (no deeper than the limit), iteratively.
    NUL characters in string values under a key of `nul_stripped` are removed in place."""
    stack: list[tuple[Any, Loc]] = [(document, ("body",))]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, str):
            error = text_error(value, loc)
            if error:
                return error
        elif isinstance(value, float) and not math.isfinite(value):
            return _error("finite_number", loc, "Input should be a finite number", value)
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                error = text_error(key, (*loc, key), key=True)
                if error:
                    return error
                if key in nul_stripped and isinstance(item, str) and "\x00" in item:
                    item = value[key] = item.replace("\x00", "")
                stack.append((item, (*loc, key)))
        elif isinstance(value, list):
            stack.extend((item, (*loc, i)) for i, item in reversed(list(enumerate(value))))
    return None


def parameter_errors(location: str, values: Any) -> list[dict[str, Any]]:
    """The errors of query (`location="query"`, a QueryDict) or path parameters."""
    items = values.lists() if hasattr(values, "lists") else values.items()
    errors = []
    for name, given in items:
        for text in given if isinstance(given, list) else [given]:
            error = text_error(name, (location, name), key=True) or (
                text_error(text, (location, name)) if isinstance(text, str) else None
            )
            if error:
                errors.append(error)
    return errors


def parse_json(raw: bytes, *, nul_stripped: frozenset[str] = frozenset()) -> Any:
    """The parsed document; raises ValueError/UnicodeDecodeError for invalid JSON and
    RequestValidationError (422) for JSON the server will not hold. String values under a
    key in `nul_stripped` lose their NUL characters instead (Prefect's logs do)."""
    flags = _Flags()

    def constant(name: str) -> float:
        flags.non_finite = True
        return float(name)

    def number(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            flags.non_finite = True
        return value

    try:
        document = json.loads(raw, parse_constant=constant, parse_float=number)
    except RecursionError:
        raise RequestValidationError([_too_deep()], None) from None
    brackets = raw.count(b"[") + raw.count(b"{")
    deep = brackets > MAX_JSON_DEPTH and _deeper_than_limit(document)
    if deep or flags.non_finite or _SUSPICIOUS_ESCAPE.search(raw):
        error = _too_deep() if deep else _walk(document, nul_stripped)
        if error is not None:
            # A deep document is not echoed: rendering it could exhaust the recursion again.
            raise RequestValidationError([error], None if deep else echo(document))
    return document


def _deeper_than_limit(document: Any) -> bool:
    """Whether arrays and objects nest deeper than MAX_JSON_DEPTH (containers only: cheap
    on a wide document such as a batch of logs)."""
    if not isinstance(document, dict | list):
        return False
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _too_deep() -> dict[str, Any]:
    return {
        "type": "json_invalid",
        "loc": ["body"],
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": f"Nested deeper than {MAX_JSON_DEPTH} levels"},
    }
