"""Runs in the states the sweeps look for, made through the API (so their columns and state rows
are what a client would have produced), and what a run looks like afterwards."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from events.models import Event
from flowruns.models import Flow, FlowRun, FlowRunState
from tests.factories import FlowFactory

T0 = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def run_create(api, state: dict[str, Any], **body: Any) -> str:
    body.setdefault("flow_id", str(FlowFactory().id))
    response = api.post("/api/flow_runs/", {**body, "state": state}, format="json")
    assert response.status_code == 201, response.json()
    return str(response.json()["id"])


def scheduled_run(api, at: datetime, name: str | None = None, **body: Any) -> str:
    state: dict[str, Any] = {"type": "SCHEDULED", "state_details": {"scheduled_time": iso(at)}}
    if name is not None:
        state["name"] = name
    return run_create(api, state, **body)


def propose(api, run_id: str, state: dict[str, Any], force: bool = False) -> dict[str, Any]:
    response = api.post(
        f"/api/flow_runs/{run_id}/set_state", {"state": state, "force": force}, format="json"
    )
    assert response.status_code in (200, 201), response.json()
    return dict(response.json())


def current(run_id: str) -> FlowRunState:
    run = FlowRun.objects.select_related("state").get(pk=run_id)
    assert run.state is not None
    return run.state


def state_names(run_id: str) -> list[str]:
    states = FlowRunState.objects.filter(flow_run_id=run_id).order_by("timestamp")
    return list(states.values_list("name", flat=True))


def events_named(name: str, run_id: str) -> list[Event]:
    return list(Event.objects.filter(event=name, resource_id=f"prefect.flow-run.{run_id}"))


def scheduled_runs_bulk(count: int, at: datetime, name: str = "Scheduled") -> list[str]:
    """Many SCHEDULED runs at once, as the API would leave them (run row + current state)."""
    flow = Flow.objects.create(name=f"bulk-{uuid.uuid4().hex}")
    runs = FlowRun.objects.bulk_create(
        FlowRun(
            flow=flow,
            name=f"bulk-{i}",
            state_type="SCHEDULED",
            state_name=name,
            state_timestamp=at - timedelta(minutes=5),
            expected_start_time=at,
            next_scheduled_start_time=at + timedelta(microseconds=i % 7),
        )
        for i in range(count)
    )
    states = FlowRunState.objects.bulk_create(
        FlowRunState(
            flow_run=run,
            type="SCHEDULED",
            name=name,
            timestamp=at - timedelta(minutes=5),
            state_details={"flow_run_id": str(run.pk), "scheduled_time": iso(at)},
        )
        for run in runs
    )
    for run, state in zip(runs, states, strict=True):
        run.state = state
    FlowRun.objects.bulk_update(runs, ["state"])
    return [str(run.pk) for run in runs]
