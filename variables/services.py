"""The one write path of variables: the API and the admin both go through here."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from flowruns.errors import DetailError, IntegrityConflict

from .models import Variable
from .rules import check_name, check_value


def _checked(name: str, value: Any) -> None:
    # The request bodies check these already; the admin and commands rely on this check.
    check_name(name)
    check_value(value)


def variable_create(*, name: str, value: Any, tags: list[str]) -> Variable:
    """Insert a variable; 409 `A variable with the name '...' already exists.` when the name
    is taken."""
    _checked(name, value)
    try:
        with transaction.atomic():
            return Variable.objects.create(name=name, value=value, tags=list(tags))
    except IntegrityError as exc:
        raise DetailError(409, f"A variable with the name {name!r} already exists.") from exc


def variable_update(*, variable: Variable, changes: dict[str, Any]) -> Variable:
    """Write the given keys of `changes` (`name`, `value`, `tags`); the others stay. A rename
    onto a taken name is Prefect's generic 409."""
    unknown = set(changes) - {"name", "value", "tags"}
    if unknown:
        raise TypeError(f"not a variable field: {', '.join(sorted(unknown))}")
    _checked(changes.get("name", variable.name), changes.get("value", variable.value))
    for field, new in changes.items():
        setattr(variable, field, list(new) if field == "tags" else new)
    try:
        with transaction.atomic():
            variable.save(update_fields=list(changes))
    except IntegrityError as exc:
        raise IntegrityConflict() from exc
    return variable


def variable_delete(*, variable: Variable) -> None:
    variable.delete()
