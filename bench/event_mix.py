"""Realistic events for the event benchmarks, as wire JSON dicts (spec/events.md §2, §6.6, §7).

What a server holds after a week of flows (§9.3): per flow run, the server's
`prefect.flow-run.<State>` events, a heartbeat every 180 s while it runs, and for each of its
tasks the client's `prefect.task-run.Pending`, `Running`, `Completed` (5% `Failed`), shaped
like the 3.8.8 client's frames (resource labels, related flow run, flow and tags, a payload
with `validated_state` and the `task_run` snapshot). About 60 events per flow run, 4.3
involved resources per event. Ids are random (uuid4); `follows` is left empty.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

RESOURCE_ID = "prefect.resource.id"
ROLE = "prefect.resource.role"
NAME = "prefect.resource.name"
TAGS = ("etl", "nightly", "critical", "ml", "env:prod", "env:dev", "team:a", "team:b")
HEARTBEAT_SECONDS = 180
PREVIOUS = {"PENDING": None, "RUNNING": "PENDING", "COMPLETED": "RUNNING", "FAILED": "RUNNING"}


def wire_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class FlowRunRef:
    """What task-run events say about their flow run: its id, name, flow and tags."""

    id: uuid.UUID
    name: str
    flow_id: uuid.UUID
    flow_name: str
    tags: tuple[str, ...] = ()
    deployment: uuid.UUID | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def related(self, *, task: bool) -> list[dict[str, str]]:
        tags = [{RESOURCE_ID: f"prefect.tag.{tag}", ROLE: "tag"} for tag in self.tags]
        flow_run = {RESOURCE_ID: f"prefect.flow-run.{self.id}", ROLE: "flow-run", NAME: self.name}
        flow = {RESOURCE_ID: f"prefect.flow.{self.flow_id}", ROLE: "flow", NAME: self.flow_name}
        if task:
            return [*tags, flow_run, flow]
        related = [flow]
        if self.deployment is not None:
            related += [
                {RESOURCE_ID: f"prefect.deployment.{self.deployment}", ROLE: "deployment"},
                {RESOURCE_ID: "prefect.work-queue.default", ROLE: "work-queue", NAME: "default"},
                {RESOURCE_ID: "prefect.work-pool.bench-pool", ROLE: "work-pool"},
            ]
        return related + tags


def _state(state_type: str) -> dict[str, Any]:
    name = state_type.capitalize()
    details = {"untrackable_result": True} if state_type == "COMPLETED" else {}
    return {"type": state_type, "name": name, "message": "", "state_details": details, "data": None}


def task_run_event(
    run: FlowRunRef,
    *,
    task_run_id: uuid.UUID,
    task: str,
    index: int,
    state_type: str,
    occurred: datetime,
    started: datetime | None = None,
) -> dict[str, Any]:
    """The client's event for one state of one task run of `run` (a §6.6 frame)."""
    name = state_type.capitalize()
    previous = PREVIOUS[state_type]
    snapshot: dict[str, Any] = {
        "name": f"{task}-{index}",
        "task_key": f"{task}-{run.flow_name}",
        "dynamic_key": str(index),
        "empirical_policy": {"max_retries": 0, "retry_delay_seconds": 0.0, "retries": 0},
        "tags": list(run.tags),
        "labels": {},
        "task_inputs": {"x": [], "y": []},
        "run_count": 0 if state_type == "PENDING" else 1,
        "flow_run_run_count": 1,
        "expected_start_time": wire_time(started or occurred),
    }
    if state_type != "PENDING":
        snapshot["start_time"] = wire_time(started or occurred)
    if state_type in ("COMPLETED", "FAILED"):
        snapshot["end_time"] = wire_time(occurred)
        snapshot["total_run_time"] = (occurred - (started or occurred)).total_seconds()
    return {
        "occurred": wire_time(occurred),
        "event": f"prefect.task-run.{name}",
        "resource": {
            RESOURCE_ID: f"prefect.task-run.{task_run_id}",
            NAME: f"{task}-{index}",
            "prefect.run-count": str(snapshot["run_count"]),
            "prefect.state-message": "",
            "prefect.state-name": name,
            "prefect.state-timestamp": occurred.astimezone(UTC).isoformat(),
            "prefect.state-type": state_type,
            "prefect.orchestration": "client",
        },
        "related": run.related(task=True),
        "payload": {
            "intended": {"from": previous, "to": state_type},
            "initial_state": _state(previous) if previous else None,
            "validated_state": _state(state_type),
            "task_run": snapshot,
        },
        "id": str(uuid.uuid4()),
        "follows": None,
    }


def flow_run_event(
    run: FlowRunRef, state_type: str, previous: str | None, occurred: datetime
) -> dict[str, Any]:
    """The server's `prefect.flow-run.<State>` event (§7.1)."""
    name = "Late" if state_type == "SCHEDULED" and previous else state_type.capitalize()
    return {
        "occurred": wire_time(occurred),
        "event": f"prefect.flow-run.{name}",
        "resource": {
            RESOURCE_ID: f"prefect.flow-run.{run.id}",
            NAME: run.name,
            "prefect.run-count": "0" if state_type in ("SCHEDULED", "PENDING") else "1",
            "prefect.state-message": "",
            "prefect.state-name": name,
            "prefect.state-timestamp": occurred.astimezone(UTC).isoformat(),
            "prefect.state-type": state_type,
        },
        "related": run.related(task=False),
        "payload": {
            "intended": {"from": previous, "to": state_type},
            "initial_state": {"type": previous} if previous else None,
            "validated_state": {"type": state_type, "name": name},
        },
        "id": str(uuid.uuid4()),
        "follows": None,
    }


def heartbeat_event(run: FlowRunRef, occurred: datetime) -> dict[str, Any]:
    return {
        "occurred": wire_time(occurred),
        "event": "prefect.flow-run.heartbeat",
        "resource": {RESOURCE_ID: f"prefect.flow-run.{run.id}", NAME: run.name},
        "related": [run.related(task=False)[0]]
        + [{RESOURCE_ID: f"prefect.tag.{tag}", ROLE: "tag"} for tag in run.tags],
        "payload": {},
        "id": str(uuid.uuid4()),
        "follows": None,
    }


class Mix:
    """Flow runs with their events, drawn from a seeded random generator."""

    def __init__(self, seed: int = 0, flows: int = 40) -> None:
        self.rng = random.Random(seed)
        self.flows = [(uuid.UUID(int=self.rng.getrandbits(128)), f"flow-{i}") for i in range(flows)]

    def flow_run(self) -> FlowRunRef:
        rng = self.rng
        flow_id, flow_name = self.flows[min(int(rng.paretovariate(1.2)) - 1, len(self.flows) - 1)]
        tags = tuple(sorted(rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3)))))
        deployment = uuid.UUID(int=rng.getrandbits(128)) if rng.random() < 0.6 else None
        run_id = uuid.UUID(int=rng.getrandbits(128))
        return FlowRunRef(run_id, f"run-{run_id.hex[:8]}", flow_id, flow_name, tags, deployment)

    def flow_run_events(self, start: datetime) -> list[dict[str, Any]]:
        """One flow run from `start`: its states, heartbeats and tasks (5 to 35, in order)."""
        rng = self.rng
        run = self.flow_run()
        states = ["PENDING", "RUNNING"]
        if run.deployment is not None:
            states.insert(0, "SCHEDULED")
        moment = start
        events, previous = [], None
        for state_type in states:
            events.append(flow_run_event(run, state_type, previous, moment))
            previous, moment = state_type, moment + timedelta(seconds=rng.uniform(0.5, 5))
        began = moment
        for index in range(rng.randint(5, 35)):
            task_run_id = uuid.UUID(int=rng.getrandbits(128))
            task = rng.choice(("extract", "transform", "load", "validate", "report"))
            pending, started = moment, moment + timedelta(milliseconds=rng.uniform(1, 50))
            ended = started + timedelta(seconds=rng.expovariate(1 / 8))
            final = "FAILED" if rng.random() < 0.05 else "COMPLETED"
            for state_type, occurred in (("PENDING", pending), ("RUNNING", started)):
                events.append(
                    task_run_event(
                        run,
                        task_run_id=task_run_id,
                        task=task,
                        index=index,
                        state_type=state_type,
                        occurred=occurred,
                        started=started,
                    )
                )
            events.append(
                task_run_event(
                    run,
                    task_run_id=task_run_id,
                    task=task,
                    index=index,
                    state_type=final,
                    occurred=ended,
                    started=started,
                )
            )
            moment = ended
        beat = began
        while beat < moment:
            events.append(heartbeat_event(run, beat))
            beat += timedelta(seconds=HEARTBEAT_SECONDS)
        end_type = "FAILED" if rng.random() < 0.08 else "COMPLETED"
        events.append(flow_run_event(run, end_type, "RUNNING", moment))
        return events
