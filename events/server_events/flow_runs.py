"""`prefect.flow-run.<state name>`: the event for every flow-run state the server writes
(spec/events.md §7.1).

The one state-write path calls `flow_run_state_event_emit` (a listener registered in
`EventsConfig.ready()`) right after it has written a state and saved the run, in the same
transaction. The event is built there (related rows read in that transaction) and stored
through `events_ingest`, in that transaction too: a transition that rolls back takes its
event with it, and subscribers, which the bus feeds only after commit, never see a state
that was not committed. (Prefect emits inside the transaction but publishes before
commit.)
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from django.utils import timezone

from events.schemas.event import RESOURCE_ID, EventIn
from events.services.ingest import events_ingest
from orchestration.states import State, StateType

from .related import flow_run_related

MESSAGE_LIMIT = 100_000
TIGHT_TIMING = timedelta(minutes=5)


def truncated(text: str | None, limit: int = MESSAGE_LIMIT) -> str:
    """Prefect's `truncated_to`: "" for no text; over `limit`, the two halves around
    `...<n> additional characters...` (unless that is no shorter)."""
    if not text:
        return ""
    if len(text) <= limit:
        return text
    half = limit // 2
    omitted = len(text) - 2 * half
    shortened = f"{text[:half]}...{omitted} additional characters...{text[-half:]}"
    return shortened if len(shortened) < len(text) else text


def state_payload(state: State | None) -> dict[str, str] | None:
    """`type`, then `name` and `message` when not empty, and for PAUSED states
    `pause_reschedule` as the string "true" or "false"."""
    if state is None:
        return None
    payload = {"type": state.type.value}
    if state.name:
        payload["name"] = state.name
    if state.message:
        payload["message"] = truncated(state.message)
    if state.type is StateType.PAUSED:
        payload["pause_reschedule"] = str(bool(state.detail("pause_reschedule"))).lower()
    return payload


def flow_run_state_event(
    run: Any, previous: State | None, state: State, related: list[dict[str, str]]
) -> EventIn:
    """The event for `state`, just written for `run` (saved, so its run count is the new
    one), which was in `previous` before. Its id is the state's id; it follows the previous
    state's event when the two are less than 5 minutes apart."""
    tight = previous is not None and abs(state.timestamp - previous.timestamp) < TIGHT_TIMING
    return EventIn.model_construct(
        occurred=state.timestamp,
        event=f"prefect.flow-run.{state.name}",
        resource={
            RESOURCE_ID: f"prefect.flow-run.{run.pk}",
            "prefect.resource.name": run.name,
            "prefect.run-count": str(run.run_count),
            "prefect.state-message": truncated(state.message),
            "prefect.state-name": state.name or "",
            "prefect.state-timestamp": state.timestamp.astimezone(UTC).isoformat(),
            "prefect.state-type": state.type.value,
        },
        related=related,
        payload={
            "intended": {
                "from": previous.type.value if previous is not None else None,
                "to": state.type.value,
            },
            "initial_state": state_payload(previous),
            "validated_state": state_payload(state),
        },
        id=state.id,
        follows=previous.id if tight and previous is not None else None,
    )


def flow_run_state_event_emit(run: Any, previous: State | None, state: State) -> None:
    """Store (and, after commit, publish) the event for a flow-run state just written."""
    event = flow_run_state_event(run, previous, state, flow_run_related(run))
    events_ingest([event], received=timezone.now())
