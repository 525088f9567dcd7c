"""The pure rules: priorities, names, job-template checks (no database)."""

from __future__ import annotations

import uuid

import pytest

from work_pools.rules import (
    BlockReferenceError,
    TemplateDefaultsError,
    check_pool_name,
    check_template_defaults,
    check_template_structure,
    first_free_priority,
    is_reserved,
    priorities_walk,
)

A, B, C, D = (uuid.UUID(int=i) for i in range(1, 5))


@pytest.mark.parametrize(
    ("taken", "expected"), [([], 1), ([1], 2), ([1, 2, 4], 3), ([2, 3], 1), ([1, 1, 2], 3)]
)
def test_first_free_priority(taken, expected):
    assert first_free_priority(taken) == expected


def test_walk_moves_the_queue_ahead_of_equal_priorities_and_shifts_collisions_only():
    queues = [(A, 1), (B, 2), (C, 5)]
    assert priorities_walk(queues, D, 1) == {D: 1, A: 2, B: 3}
    assert priorities_walk([(A, 1), (B, 2), (C, 3)], C, 1) == {C: 1, A: 2, B: 3}


def test_walk_without_target_keeps_gaps():
    assert priorities_walk([(A, 2), (B, 3)]) == {}


def test_reserved_and_blank_names():
    assert is_reserved("Prefect-x") and is_reserved("prefect") and not is_reserved("my-prefect")
    with pytest.raises(ValueError, match="empty"):
        check_pool_name(" '' ")


def test_placeholders_with_attributes_and_nested_values_are_checked():
    template = {
        "job_configuration": {"a": ["{{ env.X }}", {"b": "{{cmd}}"}]},
        "variables": {"properties": {"env": {}}},
    }
    with pytest.raises(ValueError, match=r"undeclared variable\(s\): cmd\.$"):
        check_template_structure(template)


def test_defaults_must_fit_their_schema_and_block_refs_are_refused():
    ok = {"variables": {"properties": {"n": {"type": "integer", "default": 3}}}}
    check_template_defaults(ok)
    with pytest.raises(TemplateDefaultsError, match="field 'n'"):
        check_template_defaults(
            {"variables": {"properties": {"n": {"type": "integer", "default": "x"}}}}
        )
    with pytest.raises(BlockReferenceError):
        check_template_defaults(
            {"variables": {"properties": {"n": {"default": {"$ref": {"block_document_id": "1"}}}}}}
        )
    with pytest.raises(TemplateDefaultsError):
        check_template_defaults({"variables": {"type": 12}})
