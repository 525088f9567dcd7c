"""VariableFilter and VariableSort (spec/concurrency.md §6.3), built from the filter pieces every
other resource uses (`flowruns.filters`)."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from django.db.models import Q

from flowruns.filters import operators as o
from flowruns.filters.schemas.base import FilterModel, OperatorFilterModel


class VariableFilterId(FilterModel):
    any_: list[UUID] | None = None


class VariableFilterName(FilterModel):
    any_: list[str] | None = None
    like_: str | None = None


class VariableFilterTags(OperatorFilterModel):
    all_: list[str] | None = None
    is_null_: bool | None = None


class VariableFilter(OperatorFilterModel):
    id: VariableFilterId | None = None
    name: VariableFilterName | None = None
    tags: VariableFilterTags | None = None


class VariableSort(StrEnum):
    """`/variables/filter`, default `NAME_ASC`."""

    CREATED_DESC = "CREATED_DESC"
    UPDATED_DESC = "UPDATED_DESC"
    NAME_DESC = "NAME_DESC"
    NAME_ASC = "NAME_ASC"


ORDERING: dict[VariableSort, tuple[str, ...]] = {
    VariableSort.CREATED_DESC: ("-created", "id"),
    VariableSort.UPDATED_DESC: ("-updated", "id"),
    VariableSort.NAME_DESC: ("-name",),
    VariableSort.NAME_ASC: ("name",),
}


def _id(f: VariableFilterId) -> Q:
    return o.combine(o.any_("id", f.any_))


def _name(f: VariableFilterName) -> Q:
    return o.combine([*o.any_("name", f.any_), *o.like_("name", f.like_)])


def _tags(f: VariableFilterTags) -> Q:
    criteria = [*o.tags_all_("tags", f.all_), *o.tags_is_null_("tags", f.is_null_)]
    return o.combine(criteria, f.operator)


def variable_filter_q(variables: VariableFilter | None) -> Q:
    """The rows `variables` selects; no filter selects every row."""
    if variables is None:
        return Q()
    criteria = [*o.nested(variables.id, _id), *o.nested(variables.name, _name)]
    criteria += o.nested(variables.tags, _tags)
    return o.combine(criteria, variables.operator)
