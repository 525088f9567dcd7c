"""Small helpers shared by the filter families."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Expression
from django.db.models.fields.json import KeyTextTransform

from ..schemas import StateType


def state_types(values: Sequence[StateType] | None) -> list[str] | None:
    return None if values is None else [StateType(v).value for v in values]


def created_by_id() -> Expression:
    """`created_by ->> 'id'` (the creator's id as text)."""
    return KeyTextTransform("id", "created_by")


def created_by_type() -> Expression:
    return KeyTextTransform("type", "created_by")
