"""Bodies of the flow-run input routes (`/flow_runs/{id}/input...`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel

from flowruns.services.inputs import INPUT_KEY


def _check_key(key: str) -> str:
    if not INPUT_KEY.match(key):
        raise ValueError("Key must only contain lowercase letters, numbers, and dashes.")
    return key


class InputCreateBody(BaseModel):
    key: Annotated[str, AfterValidator(_check_key)]
    value: bytes
    sender: str | None = None


class InputFilterBody(BaseModel):
    prefix: str
    limit: int = 1
    exclude_keys: list[str] = []
