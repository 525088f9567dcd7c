"""Pure checks and computations of work pools and queues (no database): names, the
`base_job_template`, and the priority walk (spec/work_pools.md §3.1, §3.5, §4.2)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from uuid import UUID

import jsonschema
from jsonschema.exceptions import SchemaError

RESERVED_PREFIX = "prefect"
AGENT_TYPE = "prefect-agent"
DEFAULT_AGENT_POOL = "default-agent-pool"
DEFAULT_QUEUE_DESCRIPTION = "The work pool's default queue."
NAME_PATTERN = r"^[^/%&><]+$"

_PLACEHOLDER = re.compile(r"{{\s*([\w\-]+)(?:\.[^}]*)?\s*}}")


class TemplateDefaultsError(ValueError):
    """A variable default that does not satisfy its own schema (422 `{"detail": ...}`)."""


class BlockReferenceError(LookupError):
    """A default referring to a block document (none exist here: 404 `Block not found.`)."""


def is_reserved(name: str) -> bool:
    return name.lower().startswith(RESERVED_PREFIX)


def check_pool_name(name: str) -> str:
    if not name.strip(" \"'"):
        raise ValueError("name cannot be an empty string")
    return name


def _placeholders(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from _PLACEHOLDER.findall(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _placeholders(item)
    elif isinstance(value, list):
        for item in value:
            yield from _placeholders(item)


def check_template_structure(template: dict[str, Any]) -> dict[str, Any]:
    """`{}`, or both keys, with every placeholder of `job_configuration` declared."""
    if not template:
        return template
    if "job_configuration" not in template or "variables" not in template:
        raise ValueError(
            "The `base_job_template` must contain both a `job_configuration` key and a "
            "`variables` key."
        )
    variables = template.get("variables") or {}
    declared = set((variables.get("properties") or {}) if isinstance(variables, dict) else {})
    missing = sorted(set(_placeholders(template["job_configuration"])) - declared)
    if missing:
        raise ValueError(
            "The variables specified in the job configuration template must be present as "
            "properties in the variables schema. Your job configuration uses the following "
            f"undeclared variable(s): {', '.join(missing)}."
        )
    return template


def _is_block_reference(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("$ref"), dict)


def check_template_defaults(template: dict[str, Any]) -> None:
    """On create only: `variables` is a JSON Schema and each default satisfies its property."""
    variables = template.get("variables")
    if not isinstance(variables, dict):
        return
    try:
        jsonschema.Draft202012Validator.check_schema(variables)
    except SchemaError as exc:
        raise TemplateDefaultsError(exc.message) from exc
    for name, prop in (variables.get("properties") or {}).items():
        if not isinstance(prop, dict) or "default" not in prop:
            continue
        default = prop["default"]
        if _is_block_reference(default):
            raise BlockReferenceError(name)
        schema = {**prop, "definitions": variables.get("definitions", {})}
        schema.update({"$defs": variables.get("$defs", {})} if "$defs" in variables else {})
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(default), key=str)
        if errors:
            raise TemplateDefaultsError(
                "Validation failed for work pool's job variable defaults: Validation failed "
                f"for field {name!r}. Failure reason: {errors[0].message}"
            )


def first_free_priority(taken: Iterable[int]) -> int:
    """The first gap in the sorted priorities from 1 (`[1, 2, 4]` → 3), else max + 1."""
    expected = 1
    for priority in sorted(set(taken)):
        if priority > expected:
            return expected
        expected = priority + 1
    return expected


def priorities_walk(
    queues: list[tuple[UUID, int]], moved: UUID | None = None, target: int | None = None
) -> dict[UUID, int]:
    """New priorities for the queues whose priority must change: `moved` goes to `target`,
    ahead of any other queue with an equal or greater priority, then every collision is
    pushed up by one (gaps are kept). `queues` is (id, priority) of every queue of the pool."""
    ordered = sorted((p, 1, qid) for qid, p in queues if qid != moved)
    if moved is not None and target is not None:
        ordered.append((target, 0, moved))
        ordered.sort()
    current = dict(queues)
    changes: dict[UUID, int] = {}
    last = 0
    for priority, _, qid in ordered:
        if priority <= last:
            priority = last + 1
        last = priority
        if current.get(qid) != priority:
            changes[qid] = priority
    return changes
