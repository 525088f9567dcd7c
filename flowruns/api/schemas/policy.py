from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from .bounds import Seconds, WholeSeconds


class FlowRunPolicyIn(BaseModel):
    """`empirical_policy`: unknown keys ignored; the deprecated fields fill the new ones."""

    model_config = ConfigDict(extra="ignore")

    max_retries: int = 0
    retry_delay_seconds: Seconds = 0
    retries: int | None = None
    retry_delay: WholeSeconds | None = None
    pause_keys: set[str] | None = set()
    resuming: bool | None = False
    retry_type: Literal["in_process", "reschedule"] | None = None

    @model_validator(mode="after")
    def _fill_from_deprecated(self) -> FlowRunPolicyIn:
        if not self.retries and self.max_retries != 0:
            self.retries = self.max_retries
        if self.retry_delay is None and self.retry_delay_seconds != 0:
            self.retry_delay = int(self.retry_delay_seconds)
        return self

    def stored(self) -> dict[str, Any]:
        data = self.model_dump()
        data["pause_keys"] = sorted(self.pause_keys or ())
        return data
