"""Validating parameters and job variables against JSON Schemas as Prefect does (§3.1, §5,
§8.2): Draft 2020-12, with `required` ignored when a deployment is written and enforced when a
run is created."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from flowruns.services.run_input.schema_validation import (
    CircularSchema,
    RunInputInvalid,
    validate_run_input,
)

__all__ = ["CircularSchema", "RunInputInvalid", "schema_error", "values_check"]


def _without_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_without_required(item) for item in schema]
    return schema


def schema_error(schema: dict[str, Any]) -> str | None:
    """Why `schema` is not a valid JSON Schema (None when it is)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return exc.message
    return None


def values_check(values: dict[str, Any], schema: dict[str, Any], *, required: bool) -> None:
    """Raise RunInputInvalid (`Validation failed for field 'x'. Failure reason: …`) or
    CircularSchema."""
    validate_run_input(values, copy.deepcopy(schema) if required else _without_required(schema))


def job_variables_check(
    values: dict[str, Any], template: dict[str, Any] | None, *, required: bool
) -> None:
    """Job variables against a pool's `base_job_template.variables`, pool defaults merged
    in. An empty template checks nothing."""
    schema = (template or {}).get("variables")
    if not isinstance(schema, dict) or not schema:
        return
    defaults = {
        key: prop["default"]
        for key, prop in (schema.get("properties") or {}).items()
        if isinstance(prop, dict) and "default" in prop
    }
    values_check({**defaults, **values}, schema, required=required)
