"""Replacing `{"__prefect_kind": ...}` placeholders in a run input (spec/api.md §6.9.1).

The first error stops hydration; its message becomes the REJECT reason
`Error hydrating run input: <message>`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

KIND = "__prefect_kind"
_REMOVE = object()
_jinja = ImmutableSandboxedEnvironment()

VariableLookup = Callable[[str], Any]


class HydrationError(Exception):
    pass


def _hydrate_json(node: dict[str, Any]) -> Any:
    if "value" not in node:
        return _REMOVE
    value = node["value"]
    if not isinstance(value, str):
        return _hydrate(value)
    try:
        return json.loads(value)
    except ValueError as exc:
        raise HydrationError(f"Invalid JSON: {exc}") from exc


def _hydrate_jinja(node: dict[str, Any]) -> Any:
    if "template" not in node:
        raise HydrationError("Missing 'template' key in __prefect object")
    try:
        return _jinja.from_string(str(node["template"])).render()
    except TemplateError as exc:
        raise HydrationError(f"Invalid jinja: {exc}") from exc


def register_variable_lookup(lookup: VariableLookup) -> None:
    """Make `lookup(name)` the source of `workspace_variable` placeholders: it returns the
    stored value (which may be None) or raises KeyError. Registered by the `variables` app,
    which this app never imports; with none registered every variable is missing."""
    global _variable_lookup
    _variable_lookup = lookup


def _no_variables(name: str) -> Any:
    raise KeyError(name)


_variable_lookup: VariableLookup = _no_variables


def _hydrate_variable(node: dict[str, Any]) -> Any:
    if "variable_name" not in node:
        return _REMOVE
    name = node["variable_name"]
    if isinstance(name, dict):  # itself a placeholder (or an object): hydrated first
        name = _hydrate(name)
        if name is _REMOVE:
            return _REMOVE
    if isinstance(name, str):
        try:
            # The stored value as it is: placeholders inside a variable are not expanded.
            return _variable_lookup(name)
        except KeyError:
            pass
    raise HydrationError(f"Variable '{name}' not found in workspace.")


def _hydrate_none(node: dict[str, Any]) -> Any:
    if "value" not in node:
        raise HydrationError("Missing 'value' key in __prefect object")
    return _hydrate(node["value"])


_KINDS = {
    "json": _hydrate_json,
    "jinja": _hydrate_jinja,
    "workspace_variable": _hydrate_variable,
    "none": _hydrate_none,
}


def _hydrate(node: Any) -> Any:
    if isinstance(node, dict):
        if KIND in node:
            handler = _KINDS.get(node[KIND])
            return handler(node) if handler else _hydrate(node.get("value"))
        out = {}
        for key, value in node.items():
            hydrated = _hydrate(value)
            if hydrated is not _REMOVE:
                out[key] = hydrated
        return out
    if isinstance(node, list):
        return [item for item in (_hydrate(v) for v in node) if item is not _REMOVE]
    return node


def hydrate(run_input: dict[str, Any]) -> Any:
    result = _hydrate(run_input)
    return None if result is _REMOVE else result
