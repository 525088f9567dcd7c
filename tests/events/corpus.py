"""A small set of events covering what filters look at: names, primary and related
resources, labels, roles, payload text and times. Keys name the events in assertions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.events.conftest import event_json, flow, store, tag

RUN_A = "prefect.flow-run.aaaaaaaa-0000-4000-8000-000000000001"
RUN_B = "prefect.flow-run.bbbbbbbb-0000-4000-8000-000000000002"
RUN_C = "prefect.flow-run.cccccccc-0000-4000-8000-000000000003"
TASK = "prefect.task-run.dddddddd-0000-4000-8000-000000000004"


def corpus_events() -> dict[str, dict[str, Any]]:
    now = timezone.now()

    def ago(minutes: float) -> Any:
        return now - timedelta(minutes=minutes)

    return {
        "a_completed": event_json(
            "prefect.flow-run.Completed",
            occurred=ago(50),
            resource={
                "prefect.resource.id": RUN_A,
                "prefect.resource.name": "banana-prawn",
                "prefect.state-type": "COMPLETED",
            },
            related=[flow("f1", "etl"), tag("db"), tag("prod")],
            payload={"validated_state": {"type": "COMPLETED", "name": "Completed"}},
        ),
        "b_failed": event_json(
            "prefect.flow-run.Failed",
            occurred=ago(40),
            resource={
                "prefect.resource.id": RUN_B,
                "prefect.resource.name": "Apple",
                "prefect.state-type": "FAILED",
            },
            related=[flow("f2", "ingest"), tag("db")],
            payload={"message": "Connection timeout at step 3"},
        ),
        "task_running": event_json(
            "prefect.task-run.Running",
            occurred=ago(30),
            resource={
                "prefect.resource.id": TASK,
                "prefect.resource.name": "add-7a5",
                "prefect.orchestration": "client",
            },
            related=[
                tag("db"),
                {"prefect.resource.id": RUN_A, "prefect.resource.role": "flow-run"},
                flow("f1", "etl"),
            ],
        ),
        "a_heartbeat": event_json(
            "prefect.flow-run.heartbeat",
            occurred=ago(20),
            resource={"prefect.resource.id": RUN_A, "prefect.version": "3.8.8"},
            related=[flow("f1", "etl")],
        ),
        "custom_x": event_json(
            "custom.event",
            occurred=ago(10),
            resource={"prefect.resource.id": "my.resource.x", "env": "prod", "team": "data"},
            payload={"n": 5, "note": "Café au lait", "place": "ÉCOLE"},
        ),
        "custom_y": event_json(
            "custom.event",
            occurred=ago(5),
            resource={"prefect.resource.id": "my.resource.y", "env": "staging"},
            related=[
                {"prefect.resource.id": "my.thing", "prefect.resource.role": "thing", "env": "prod"}
            ],
        ),
        "c_old": event_json(
            "prefect.flow-run.Completed",
            occurred=now - timedelta(days=2),
            resource={"prefect.resource.id": RUN_C},
            related=[
                {
                    "prefect.resource.id": "prefect.deployment.d1",
                    "prefect.resource.role": "deployment",
                    "prefect.resource.name": "nightly",
                },
                {
                    "prefect.resource.id": "prefect.work-pool.p1",
                    "prefect.resource.role": "work-pool",
                    "prefect.work-pool.type": "process",
                },
            ],
        ),
        "upper": event_json(
            "Prefect.Flow-Run.Completed",
            occurred=ago(3),
            resource={"prefect.resource.id": "PREFECT.FLOW-RUN.UPPER"},
        ),
        "weird": event_json(
            "weird%_name*?[x]",
            occurred=ago(2),
            resource={"prefect.resource.id": "w%_*?[1]", "label": "50%_off*"},
        ),
    }


def store_corpus() -> dict[str, dict[str, Any]]:
    """Store the corpus; returns key → the stored ReceivedEvent JSON."""
    events = corpus_events()
    stored = store(*events.values())
    by_id = {e["id"]: e for e in stored}
    return {key: by_id[event["id"]] for key, event in events.items()}
