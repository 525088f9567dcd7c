"""Variables for responses and for the resume-input placeholder."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .filters import ORDERING, VariableSort
from .models import Variable


def variable_get(**lookup: Any) -> Variable | None:
    """The variable with `pk=...` or `name=...`, None when there is none."""
    return Variable.objects.filter(**lookup).first()


def variable_value(name: str) -> Any:
    """The value stored under `name` (which may be `None`); `KeyError` when there is no such
    variable."""
    values = list(Variable.objects.filter(name=name).values_list("value", flat=True)[:1])
    if not values:
        raise KeyError(name)
    return values[0]


def variables_page(*, where: Q, sort: VariableSort, limit: int, offset: int) -> list[Variable]:
    if limit == 0:
        return []
    rows = Variable.objects.filter(where).order_by(*ORDERING[sort])
    return list(rows[offset : offset + limit])


def variables_count(*, where: Q) -> int:
    return Variable.objects.filter(where).count()
