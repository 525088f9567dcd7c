"""The state model the engine reasons about: types, default names, details, the State value.

A `State` here is an immutable value. The engine never edits one in place: rules hand back
edited copies (`with_details`, `renamed`) and the engine threads the latest proposal through
the remaining rules. That replaces Prefect's "shallow copy with shared details" trick with
something explicit (orchestration.md §2.1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from uuid import UUID

from orchestration.ids import uuid7


# The one vocabulary of state types: models derive their `choices` from it, filters and
# serializers validate against it. (A comment, not a docstring: pydantic would publish a
# docstring as the OpenAPI description of every schema that uses the enum.)
class StateType(StrEnum):
    SCHEDULED = "SCHEDULED"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    CRASHED = "CRASHED"
    PAUSED = "PAUSED"
    CANCELLING = "CANCELLING"


TERMINAL_TYPES: frozenset[StateType] = frozenset(
    {StateType.COMPLETED, StateType.FAILED, StateType.CANCELLED, StateType.CRASHED}
)

# The StateDetails keys, in the order api.md §3.2 serialises them.
STATE_DETAILS_KEYS: tuple[str, ...] = (
    "flow_run_id",
    "task_run_id",
    "child_flow_run_id",
    "scheduled_time",
    "cache_key",
    "cache_expiration",
    "deferred",
    "untrackable_result",
    "pause_timeout",
    "pause_reschedule",
    "pause_key",
    "run_input_keyset",
    "refresh_cache",
    "retriable",
    "transition_id",
    "task_parameters_id",
    "traceparent",
    "deployment_concurrency_lease_id",
)

# Every key's default, in the same order (read-only; `default_state_details` gives a copy).
STATE_DETAILS_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {key: None for key in STATE_DETAILS_KEYS}
    | {"deferred": False, "untrackable_result": False, "pause_reschedule": False}
)


def default_state_name(state_type: StateType) -> str:
    """The name a state gets when none is given: the type title-cased (`Cancelling`)."""
    return state_type.value.title()


def default_state_details() -> dict[str, Any]:
    """A fresh dict of all StateDetails keys at their defaults, in wire order."""
    return dict(STATE_DETAILS_DEFAULTS)


def has_persisted_data(data: Any) -> bool:
    """Whether a state's data points at a stored result.

    Only a non-empty mapping whose `type` is not "unpersisted" counts; scalars and lists
    never do. The empty mapping is excluded because Prefect tests the data for truthiness
    first, so `{}` behaves like "no data".
    """
    return isinstance(data, Mapping) and bool(data) and data.get("type") != "unpersisted"


@dataclass(frozen=True)
class State:
    """One state of a run. Details are always complete (missing keys get their defaults)
    and read-only; use `with_details` to derive a changed copy."""

    id: UUID
    type: StateType
    name: str
    timestamp: datetime
    message: str | None = None
    data: Any = None
    state_details: Mapping[str, Any] = field(default_factory=default_state_details)

    def __post_init__(self) -> None:
        details = {**STATE_DETAILS_DEFAULTS, **self.state_details}
        object.__setattr__(self, "state_details", MappingProxyType(details))

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL_TYPES

    def detail(self, key: str) -> Any:
        """One StateDetails value (None when unset)."""
        return self.state_details.get(key)

    def with_details(self, **changes: Any) -> State:
        """A copy with some details changed: same id, so it is still *this* proposal."""
        unknown = set(changes) - set(STATE_DETAILS_KEYS)
        if unknown:
            raise ValueError(f"unknown state_details keys: {sorted(unknown)}")
        return dataclasses.replace(self, state_details={**self.state_details, **changes})

    def renamed(self, name: str) -> State:
        """A copy with another name (Prefect's `rename`; does not change the type)."""
        return dataclasses.replace(self, name=name)


def new_state(
    state_type: StateType,
    *,
    timestamp: datetime,
    name: str | None = None,
    message: str | None = None,
    data: Any = None,
    **details: Any,
) -> State:
    """A brand-new state with a fresh v7 id, e.g. a rule's replacement (`AwaitingRetry`).

    Callers in the engine pass the proposed state's timestamp, which the service has
    already made unique for the run (G1), so the replacement can be inserted as is.
    """
    base = State(
        id=uuid7(),
        type=state_type,
        name=default_state_name(state_type) if name is None else name,
        timestamp=timestamp,
        message=message,
        data=data,
    )
    return base.with_details(**details) if details else base
