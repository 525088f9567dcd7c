"""Request bodies of the task-run routes (Prefect's `TaskRunCreate`, `TaskRunUpdate`)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from django.conf import settings
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from flowruns.filters.bodies import TaskRunQuery
from flowruns.filters.sorting import TaskRunSort
from flowruns.filters.types import UTCDateTime

from .bounds import IndexedText, JitterFactor, Offset, Seconds, Tags, TaskKey, WholeSeconds
from .flows import Labels
from .states import StateCreate

# Prefect's PREFECT_SERVER_TASKS_MAX_CACHE_KEY_LENGTH default.
DEFAULT_CACHE_KEY_MAX_LENGTH = 2000


class TaskRunPolicy(BaseModel):
    """`empirical_policy` as Prefect validates it: unknown keys ignored, at most 50
    per-attempt delays, a non-negative jitter, and the deprecated fields filling an unset or
    zero new one. A list of delays is all ints or all floats: Prefect reads `[1, 2.5]` as
    floats."""

    model_config = ConfigDict(extra="ignore")

    max_retries: int = 0
    retry_delay_seconds: Seconds = 0
    retries: int | None = None
    retry_delay: WholeSeconds | Seconds | list[WholeSeconds] | list[Seconds] | None = None
    retry_jitter_factor: JitterFactor | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_from_deprecated(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if not data.get("retries") and data.get("max_retries", 0) != 0:
            data["retries"] = data["max_retries"]
        if not data.get("retry_delay") and data.get("retry_delay_seconds", 0) != 0:
            data["retry_delay"] = data["retry_delay_seconds"]
        return data

    @field_validator("retry_delay")
    @classmethod
    def _at_most_fifty_delays(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > 50:
            raise ValueError("Can not configure more than 50 retry delays per task.")
        return value

    @field_validator("retry_jitter_factor")
    @classmethod
    def _jitter_not_negative(cls, value: float | None) -> float | None:
        if value is not None and value < 0:
            raise ValueError("`retry_jitter_factor` must be >= 0.")
        return value

    def stored(self) -> dict[str, Any]:
        return self.model_dump()


class _RunInput(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TaskRunResultInput(_RunInput):
    input_type: Literal["task_run"] = "task_run"
    id: UUID


class FlowRunResultInput(_RunInput):
    input_type: Literal["flow_run"] = "flow_run"
    id: UUID


class ParameterInput(_RunInput):
    input_type: Literal["parameter"] = "parameter"
    name: str


class ConstantInput(_RunInput):
    input_type: Literal["constant"] = "constant"
    type: str


TaskInput = TaskRunResultInput | FlowRunResultInput | ParameterInput | ConstantInput


class TaskRunCreate(BaseModel):
    """`id` is the client's own (uuid7) id when given; `name` null or empty gets a random
    two-word name."""

    model_config = ConfigDict(extra="forbid")

    id: UUID | None = None
    state: StateCreate | None = None
    name: IndexedText | None = None
    flow_run_id: UUID | None = None
    task_key: TaskKey
    dynamic_key: TaskKey
    cache_key: str | None = None
    cache_expiration: UTCDateTime | None = None
    task_version: IndexedText | None = None
    empirical_policy: TaskRunPolicy = TaskRunPolicy()
    tags: Tags = []
    labels: Labels | None = {}
    task_inputs: dict[str, list[TaskInput]] = {}

    @field_validator("cache_key")
    @classmethod
    def _cache_key_length(cls, value: str | None) -> str | None:
        limit = getattr(settings, "PREFECT_TASK_CACHE_KEY_MAX_LENGTH", DEFAULT_CACHE_KEY_MAX_LENGTH)
        if value and len(value) > limit:
            raise ValueError(f"Cache key exceeded maximum allowed length of {limit} characters.")
        return value

    def stored_fields(self) -> dict[str, Any]:
        """The task run's own columns (its flow run, keys and state are passed apart)."""
        fields = self.model_dump(
            include={"id", "name", "cache_key", "cache_expiration", "task_version", "tags"}
        )
        fields["labels"] = self.labels
        fields["empirical_policy"] = self.empirical_policy.stored()
        fields["task_inputs"] = {
            name: [entry.model_dump(mode="json") for entry in entries]
            for name, entries in self.task_inputs.items()
        }
        return fields


class TaskRunUpdate(BaseModel):
    """Only `name`; null or empty means a fresh random name, an absent key changes nothing."""

    model_config = ConfigDict(extra="forbid")

    name: IndexedText | None = None


class TaskRunFilterBody(TaskRunQuery):
    sort: TaskRunSort = TaskRunSort.ID_DESC
    limit: int | None = None
    offset: Offset = 0
