"""Request bodies of the variable routes (single models: unknown keys are a 422) and the
response models of the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from django.db.models import Q
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel

from flowruns.api.schemas.bounds import Offset, Tags
from flowruns.filters.bodies import FieldBody
from variables.filters import VariableFilter, VariableSort, variable_filter_q
from variables.models import MAX_NAME_LENGTH
from variables.rules import check_name, check_value

# The name rule runs before the length rule, so an over-long name with a capital letter
# reports the character rule, as Prefect does.
VariableName = Annotated[str, AfterValidator(check_name), Field(max_length=MAX_NAME_LENGTH)]
VariableValue = Annotated[Any, BeforeValidator(check_value)]


class VariableCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: VariableName
    value: VariableValue
    tags: Tags = []


class VariableUpdate(BaseModel):
    """Only the keys present are written; `"value": null` stores null."""

    model_config = ConfigDict(extra="forbid")

    name: VariableName | None = None
    value: VariableValue = None
    tags: Tags | None = None

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(include=self.model_fields_set)
        # A null name or tag list means "leave it", as in Prefect; a null value is a value.
        return {k: v for k, v in given.items() if v is not None or k == "value"}


class VariableQuery(FieldBody):
    """`/variables/count`: the `variables` filter."""

    variables: VariableFilter | None = None

    def q(self) -> Q:
        return variable_filter_q(self.variables)


class VariableFilterBody(VariableQuery):
    """`/variables/filter`: the filter plus sort, limit and offset."""

    sort: VariableSort = VariableSort.NAME_ASC
    limit: int | None = None
    offset: Offset = 0


class VariableOut(BaseModel):
    id: UUID
    created: datetime
    updated: datetime
    name: str
    value: Any
    tags: list[str]


class VariableOutList(RootModel[list[VariableOut]]):
    pass
