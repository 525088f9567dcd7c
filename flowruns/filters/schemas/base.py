"""The two kinds of filter object every filter family is built from (spec/api.md §4.1).

* A *plain* filter ANDs its active criteria and has no `operator` key.
* An *operator* filter combines its active criteria with `operator` (`"and_"`, the default, or
  `"or_"`).

Both reject unknown keys (422 `extra_forbidden`), and every criterion is optional and accepts an
explicit `null`, which means "not given": the official client sends filter objects fully
populated with nulls. Values are coerced the way Prefect's server coerces them (pydantic's lax
mode): `"true"` for a bool, a UUID string without dashes, and so on.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from orchestration.states import StateType

__all__ = ["FilterModel", "Operator", "OperatorFilterModel", "StateType"]


class Operator(StrEnum):
    and_ = "and_"
    or_ = "or_"


class FilterModel(BaseModel):
    """A plain filter: its active criteria are always ANDed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OperatorFilterModel(FilterModel):
    """A filter whose active criteria are combined with `operator`."""

    operator: Operator = Operator.and_
