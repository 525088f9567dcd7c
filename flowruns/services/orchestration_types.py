"""The values a state change takes and gives back: who asks, what is proposed, the outcome.

They sit below the write path (`services.orchestrating`), so the API schemas, views and admin
actions that only build a proposal or read an outcome import nothing else of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from orchestration.states import State, StateType, new_state
from orchestration.versions import ApiVersion


@dataclass(frozen=True)
class OrchestrationCall:
    """Who is asking: the API version header and the client's package version."""

    api_version: ApiVersion | None = None
    client_version: str | None = None


@dataclass(frozen=True)
class StateProposal:
    """A state someone proposes; the server assigns its id and timestamp."""

    type: str
    name: str | None = None
    message: str | None = None
    data: Any = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class SetStateOutcome:
    status: str
    reason: str | None
    delay_seconds: int | None
    state: State | None
    written: bool
    # /resume reports its own input rejections as REJECT with *abort* details, as Prefect does.
    details_type: str | None = None


def proposed_state(
    state_type: str,
    *,
    name: str | None = None,
    message: str | None = None,
    data: Any = None,
    details: dict[str, Any] | None = None,
    timestamp: datetime,
) -> State:
    """A client's proposal as an engine State: server id, server timestamp."""
    details = dict(details or {})
    stype = StateType(state_type)
    if stype is StateType.SCHEDULED and details.get("scheduled_time") is None:
        details["scheduled_time"] = timestamp
    return new_state(stype, timestamp=timestamp, name=name, message=message, data=data, **details)
