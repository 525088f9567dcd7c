"""Shared by the filter-body validation tests."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError


def errors(model: type[BaseModel], data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as excinfo:
        model.model_validate(data)
    return [dict(err) for err in excinfo.value.errors(include_url=False)]
