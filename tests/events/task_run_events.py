"""Task-run events shaped exactly like the 3.8.8 client's (spec/events.md §6.6), and a way to
ingest them through the one ingestion service."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta
from typing import Any

from events.schemas import EventIn
from events.services.ingest import events_ingest
from flowruns.api.wire.encoding import dt

# The captured frame of §6.6 (the Completed event of `add` in the flow `tiny-events`).
CAPTURED: dict[str, Any] = {
    "occurred": "2026-12-06T02:13:20.070503Z",
    "event": "prefect.task-run.Completed",
    "resource": {
        "prefect.resource.id": "prefect.task-run.01a24920-8c53-7b66-bab8-65c2b6941071",
        "prefect.resource.name": "add-7a5",
        "prefect.run-count": "1",
        "prefect.state-message": "",
        "prefect.state-name": "Completed",
        "prefect.state-timestamp": "2026-12-06T02:13:20.070503+00:00",
        "prefect.state-type": "COMPLETED",
        "prefect.orchestration": "client",
    },
    "related": [
        {"prefect.resource.id": "prefect.tag.db", "prefect.resource.role": "tag"},
        {
            "prefect.resource.id": "prefect.flow-run.a8d82215-0f2f-4b4a-a611-3b78fed5776c",
            "prefect.resource.role": "flow-run",
            "prefect.resource.name": "banana-prawn",
        },
        {
            "prefect.resource.id": "prefect.flow.90f9a4ea-63ad-48d9-b30e-4e745fd58133",
            "prefect.resource.role": "flow",
            "prefect.resource.name": "tiny-events",
        },
    ],
    "payload": {
        "intended": {"from": "RUNNING", "to": "COMPLETED"},
        "initial_state": {"type": "RUNNING", "name": "Running", "message": "", "state_details": {}},
        "validated_state": {
            "type": "COMPLETED",
            "name": "Completed",
            "message": "",
            "state_details": {"untrackable_result": True},
            "data": None,
        },
        "task_run": {
            "name": "add-7a5",
            "task_key": "add-e0eadca5",
            "dynamic_key": "7a57c675-cb0d-4910-b75d-975dc369a6a9",
            "empirical_policy": {
                "max_retries": 0,
                "retry_delay_seconds": 0.0,
                "retries": 0,
                "retry_delay": 0,
            },
            "tags": ["db"],
            "labels": {},
            "task_inputs": {"x": [], "y": []},
            "run_count": 1,
            "flow_run_run_count": 1,
            "expected_start_time": "2026-12-06T02:13:19.571338Z",
            "start_time": "2026-12-06T02:13:20.068678Z",
            "end_time": "2026-12-06T02:13:20.070503Z",
            "total_run_time": 0.001825,
        },
    },
    "id": "01a24920-8e46-7912-81b1-1bd03c71642d",
    "follows": "01a24920-8e44-7f9c-81b5-b2b68bbc92e3",
}
CAPTURED_TASK_RUN_ID = uuid.UUID("01a24920-8c53-7b66-bab8-65c2b6941071")
CAPTURED_FLOW_RUN_ID = uuid.UUID("a8d82215-0f2f-4b4a-a611-3b78fed5776c")

PREVIOUS = {"Pending": None, "Running": ("PENDING", "Pending"), "Completed": ("RUNNING", "Running")}
TYPES = {"Pending": "PENDING", "Running": "RUNNING", "Completed": "COMPLETED", "Failed": "FAILED"}


def task_run_event(
    state: str,
    *,
    task_run_id: uuid.UUID,
    flow_run_id: uuid.UUID | None,
    occurred: datetime,
    id: uuid.UUID | None = None,
    task_key: str = "add-e0eadca5",
    dynamic_key: str = "0",
    name: str = "add-7a5",
    **task_run: Any,
) -> dict[str, Any]:
    """The client's event for `state` (Pending, Running, Completed or Failed) of one task
    run, with the snapshot the client sends at that point (§6.6 notes): Pending has run
    count 0 and no start time, later states carry what the engine knows by then."""
    event = copy.deepcopy(CAPTURED)
    state_type = TYPES[state]
    event["occurred"] = dt(occurred)
    event["event"] = f"prefect.task-run.{state}"
    event["id"] = str(id or uuid.uuid4())
    event["follows"] = None
    event["resource"].update(
        {
            "prefect.resource.id": f"prefect.task-run.{task_run_id}",
            "prefect.resource.name": name,
            "prefect.state-name": state,
            "prefect.state-type": state_type,
            "prefect.state-timestamp": occurred.isoformat(),
        }
    )
    if flow_run_id is None:
        event["related"] = [r for r in event["related"] if r["prefect.resource.role"] != "flow-run"]
    else:
        event["related"][1]["prefect.resource.id"] = f"prefect.flow-run.{flow_run_id}"
    previous = PREVIOUS.get(state)
    payload = event["payload"]
    payload["intended"] = {"from": previous[0] if previous else None, "to": state_type}
    payload["initial_state"] = (
        {"type": previous[0], "name": previous[1], "message": "", "state_details": {}}
        if previous
        else None
    )
    payload["validated_state"] = {
        "type": state_type,
        "name": state,
        "message": "",
        "state_details": {"untrackable_result": True} if state == "Completed" else {},
        "data": None,
    }
    snapshot = payload["task_run"]
    snapshot.update(name=name, task_key=task_key, dynamic_key=dynamic_key)
    started = occurred - timedelta(milliseconds=2)
    if state == "Pending":
        snapshot["run_count"] = 0
        for key in ("start_time", "end_time", "total_run_time"):
            snapshot.pop(key)
    elif state == "Running":
        snapshot["start_time"] = dt(occurred)
        snapshot.pop("end_time")
        snapshot["total_run_time"] = 0.0
    else:
        snapshot["start_time"] = dt(started)
        snapshot["end_time"] = dt(occurred)
    snapshot.update(task_run)
    return event


def lifecycle(
    *,
    task_run_id: uuid.UUID,
    flow_run_id: uuid.UUID | None,
    start: datetime,
    **fields: Any,
) -> list[dict[str, Any]]:
    """Pending, Running, Completed of one task run, 1 s apart, in that order."""
    return [
        task_run_event(
            state,
            task_run_id=task_run_id,
            flow_run_id=flow_run_id,
            occurred=start + timedelta(seconds=i),
            **fields,
        )
        for i, state in enumerate(("Pending", "Running", "Completed"))
    ]


def ingest(*events: dict[str, Any], received: datetime | None = None) -> list[dict[str, Any]]:
    """Through `events_ingest`, one call per event (one websocket frame each)."""
    stored = []
    for event in events:
        stored += events_ingest([EventIn.model_validate(event)], received=received)
    return stored
