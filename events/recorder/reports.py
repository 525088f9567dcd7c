"""Reading a client's task-run event as a report of its task run (spec/events.md §6.1-6.2).

The payload is authoritative: `payload.task_run` gives the columns (only the keys present),
`payload.validated_state` the state, the event's id and `occurred` the state's id and
timestamp. Resource labels such as `prefect.state-type` are not read.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError

from events.schemas.event import RESOURCE_ID, RESOURCE_ROLE, ReceivedEvent
from flowruns.filters.types import UTCDateTime
from flowruns.services.reported_task_runs import TaskRunReport
from flowruns.services.state_codec import details_from_json
from orchestration.states import State, StateType, default_state_name

logger = logging.getLogger("events.recorder")

TASK_RUN = "prefect.task-run."
FLOW_RUN = "prefect.flow-run."


def is_client_task_run_event(event: ReceivedEvent) -> bool:
    """§6.1: a plain prefix test on the name (no trailing dot), and the client's label."""
    return (
        event.event.startswith("prefect.task-run")
        and event.resource.get("prefect.orchestration") == "client"
    )


def object_id(resource_id: str, prefix: str) -> UUID | None:
    """`prefect.flow-run.<uuid>` -> the UUID; None for another prefix or a malformed id."""
    if not resource_id.startswith(prefix):
        return None
    try:
        return UUID(resource_id[len(prefix) :])
    except ValueError:
        return None


def related_flow_run(event: ReceivedEvent) -> str | None:
    """The id label of the first related resource in the role `flow-run`, if any."""
    for related in event.related:
        if related.get(RESOURCE_ROLE) == "flow-run":
            return related[RESOURCE_ID]
    return None


class Unrecordable(ValueError):
    """Why an event makes no task-run report."""


class _Snapshot(BaseModel):
    """`payload.task_run`: the columns the client may send (§6.2). Other keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    task_key: str | None = None
    dynamic_key: str | None = None
    cache_key: str | None = None
    cache_expiration: UTCDateTime | None = None
    task_version: str | None = None
    empirical_policy: dict[str, Any] | None = None
    tags: list[str] | None = None
    labels: dict[str, Any] | None = None
    task_inputs: dict[str, Any] | None = None
    run_count: int | None = None
    flow_run_run_count: int | None = None
    expected_start_time: UTCDateTime | None = None
    next_scheduled_start_time: UTCDateTime | None = None
    start_time: UTCDateTime | None = None
    end_time: UTCDateTime | None = None
    total_run_time: timedelta | None = None  # float seconds, or an ISO 8601 duration

    def columns(self) -> dict[str, Any]:
        """The keys the client sent, as stored values. A null for a column that cannot hold
        one counts as absent."""
        out: dict[str, Any] = {}
        for key in self.model_fields_set:
            value = getattr(self, key)
            if value is None and key not in NULLABLE:
                continue
            out[key] = value.total_seconds() if isinstance(value, timedelta) else value
        return out


NULLABLE = frozenset(
    {
        "cache_key",
        "cache_expiration",
        "task_version",
        "expected_start_time",
        "next_scheduled_start_time",
        "start_time",
        "end_time",
    }
)


class _ValidatedState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: StateType
    name: str | None = None
    message: str | None = None
    state_details: dict[str, Any] | None = None
    data: Any = None

    def state(self, *, id: UUID, timestamp: datetime) -> State:
        try:
            details = details_from_json(self.state_details)
        except ValueError as error:  # a malformed UUID or datetime among them
            raise Unrecordable(f"payload.validated_state.state_details: {error}") from None
        return State(
            id=id,
            type=self.type,
            name=self.name or default_state_name(self.type),
            timestamp=timestamp,
            message=self.message,
            data=self.data,
            state_details=details,
        )


def task_run_report(event: ReceivedEvent) -> TaskRunReport | None:
    """The report an event makes, or None (logged as a warning) when it cannot make one:
    no `payload.task_run` or `payload.validated_state`, a malformed task-run or flow-run id,
    no `task_key`/`dynamic_key`, or values of the wrong type. The event stays stored."""
    try:
        return _report(event)
    except Unrecordable as error:
        logger.warning("Not recording task-run event %s (%s): %s", event.id, event.event, error)
        return None


ModelT = TypeVar("ModelT", bound=BaseModel)


def _validated(model: type[ModelT], value: Any, where: str) -> ModelT:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in (where, *first["loc"]))
        raise Unrecordable(f"{field}: {first['msg']}") from None


def _report(event: ReceivedEvent) -> TaskRunReport:
    payload = event.payload
    if not isinstance(payload.get("task_run"), dict):
        raise Unrecordable("payload.task_run is missing")
    if not isinstance(payload.get("validated_state"), dict):
        raise Unrecordable("payload.validated_state is missing")
    task_run_id = object_id(event.resource_id, TASK_RUN)
    if task_run_id is None:
        raise Unrecordable(f"{event.resource_id!r} is not prefect.task-run.<uuid>")
    flow_run = related_flow_run(event)
    flow_run_id = None if flow_run is None else object_id(flow_run, FLOW_RUN)
    if flow_run is not None and flow_run_id is None:
        raise Unrecordable(f"related flow run {flow_run!r} is not prefect.flow-run.<uuid>")
    fields = _validated(_Snapshot, payload["task_run"], "payload.task_run").columns()
    task_key, dynamic_key = fields.get("task_key"), fields.get("dynamic_key")
    if task_key is None or dynamic_key is None:
        raise Unrecordable("payload.task_run needs task_key and dynamic_key")
    state = _validated(_ValidatedState, payload["validated_state"], "payload.validated_state")
    return TaskRunReport(
        task_run_id=task_run_id,
        flow_run_id=flow_run_id,
        task_key=task_key,
        dynamic_key=dynamic_key,
        fields=fields,
        state=state.state(id=event.id, timestamp=event.occurred),
    )
