"""drf-spectacular hooks."""

from __future__ import annotations

from typing import Any

# The collection routes also answer without their trailing slash (a client that drops it must
# never be redirected); the schema documents each route once, under Prefect's spelling.
SLASHLESS_ALIASES = {
    "/api/flows",
    "/api/flow_runs",
    "/api/flow_run_states",
    "/api/logs",
    "/api/task_runs",
    "/api/task_run_states",
    "/api/variables",
    "/api/concurrency_limits",
    "/api/v2/concurrency_limits",
    "/api/deployments",
    "/api/work_pools",
    "/api/work_queues",
}


def drop_slashless_aliases(endpoints: list[Any], **kwargs: Any) -> list[Any]:
    return [endpoint for endpoint in endpoints if endpoint[0] not in SLASHLESS_ALIASES]


# Every route can answer these, whatever its view declares (spec/api.md §1.4): a path that
# does not match (an id that is no UUID) is a 404 `{"detail": "Not Found"}`; a 422 is either a
# validation error or a route-level check (`{"detail": ...}`: limit, history interval); a
# conventional list's query parameters that django-filter refuses are a 400 naming them.
_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "title": "ErrorDetail",
}
_FIELD_ERRORS = {
    "type": "object",
    "properties": {
        "detail": {"type": "object", "additionalProperties": {"type": "array"}},
    },
    "required": ["detail"],
    "title": "QueryParameterErrors",
}
_VALIDATION = {"$ref": "#/components/schemas/ValidationErrorResponse"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}, "description": description}


def _with(responses: dict[str, Any], status: str, extra: dict[str, Any], text: str) -> None:
    """Add `extra` as one more body `status` may have (the only one if none is declared)."""
    body = responses.get(status, {}).get("content", {}).get("application/json")
    if body is None or "schema" not in body:
        responses[status] = _json(extra, text)
        return
    options = body["schema"].get("anyOf", [body["schema"]])
    if extra not in options:
        body["schema"] = {"anyOf": [*options, extra]}


def _null_as_type(node: Any) -> None:
    """OpenAPI 3.1 has no `nullable`: `{"type": "number", "nullable": true}` becomes
    `{"type": ["number", "null"]}` (drf-spectacular still writes the 3.0 spelling for some)."""
    if isinstance(node, list):
        for item in node:
            _null_as_type(item)
    elif isinstance(node, dict):
        if node.pop("nullable", False):
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            elif "type" not in node:
                alternatives = node.pop("anyOf", None) or [dict(node)]
                node.clear()
                node["anyOf"] = [*alternatives, {"type": "null"}]
        for value in node.values():
            _null_as_type(value)


def document_error_answers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    _null_as_type(result)
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ValidationErrorResponse", _validation_component())
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            if "{" in path:
                _with(responses, "404", _DETAIL, "Not found")
            if "requestBody" in operation or parameters:
                _with(responses, "422", _VALIDATION, "Invalid request")
                _with(responses, "422", _DETAIL, "Invalid request")
            if method == "get" and any(p.get("in") == "query" for p in parameters):
                _with(responses, "400", _FIELD_ERRORS, "Invalid query parameter")
    return result


def _validation_component() -> dict[str, Any]:
    from flowruns.api.schemas.responses.errors import ValidationErrorResponse

    return ValidationErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
