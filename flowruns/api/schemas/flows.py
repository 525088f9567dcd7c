from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from .bounds import IndexedText, Tags

LabelValue = StrictBool | StrictInt | StrictFloat | StrictStr
Labels = dict[str, LabelValue]


class FlowCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[IndexedText, Field(pattern=r"^[^/%&><]+$")]
    tags: Tags = []
    labels: Labels | None = {}


class FlowUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: Tags = []
