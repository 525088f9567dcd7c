from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

LabelValue = StrictBool | StrictInt | StrictFloat | StrictStr
Labels = dict[str, LabelValue]


class FlowCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=r"^[^/%&><]+$")]
    tags: list[str] = []
    labels: Labels | None = {}


class FlowUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[str] = []
