"""Which task run an event updates (spec/events.md §6.1, §6.4), and the events the recorder
skips: they are still stored as events."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from events.models import Event
from flowruns.models import StateType, TaskRun, TaskRunState
from tests.events.task_run_events import ingest, task_run_event
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 13, 19, tzinfo=UTC)


@pytest.fixture
def flow_run():
    return FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)


def test_a_second_task_run_id_with_the_same_natural_key_updates_the_first_row(flow_run):
    first_id, second_id = uuid.uuid4(), uuid.uuid4()
    pending = task_run_event("Pending", task_run_id=first_id, flow_run_id=flow_run.pk, occurred=T0)
    running = task_run_event(
        "Running", task_run_id=second_id, flow_run_id=flow_run.pk, occurred=T0 + timedelta(1)
    )

    ingest(pending, running)

    run = TaskRun.objects.get()
    assert run.pk == first_id
    assert (str(run.state_id), run.state_type) == (running["id"], "RUNNING")
    states = TaskRunState.objects.order_by("timestamp")
    assert [s.task_run_id for s in states] == [first_id, first_id]
    assert states[1].state_details["task_run_id"] == str(first_id)


def test_without_a_flow_run_related_resource_the_task_run_has_no_flow_run():
    task_run_id = uuid.uuid4()
    events = [
        task_run_event(state, task_run_id=task_run_id, flow_run_id=None, occurred=T0 + timedelta(i))
        for i, state in enumerate(("Pending", "Running"))
    ]

    ingest(*events)

    run = TaskRun.objects.get()
    assert (run.pk, run.flow_run_id, run.state_type) == (task_run_id, None, "RUNNING")
    state = TaskRunState.objects.get(pk=events[1]["id"])
    assert state.state_details["flow_run_id"] is None
    assert state.state_details["task_run_id"] == str(task_run_id)


def test_task_runs_outside_flow_runs_with_the_same_keys_are_one_task_run():
    first, second = uuid.uuid4(), uuid.uuid4()
    ingest(
        task_run_event("Pending", task_run_id=first, flow_run_id=None, occurred=T0),
        task_run_event("Running", task_run_id=second, flow_run_id=None, occurred=T0 + timedelta(1)),
    )
    assert list(TaskRun.objects.values_list("id", "state_type")) == [(first, "RUNNING")]


def test_an_event_updates_a_task_run_created_over_rest_with_the_same_id(flow_run):
    api = APIClient()
    created = api.post(
        "/api/task_runs/",
        {
            "flow_run_id": str(flow_run.pk),
            "task_key": "other-key",
            "dynamic_key": "9",
            "state": {"type": "PENDING"},
        },
        format="json",
    ).json()
    running = task_run_event(
        "Running",
        task_run_id=uuid.UUID(created["id"]),
        flow_run_id=flow_run.pk,
        occurred=datetime.now(UTC) + timedelta(seconds=1),
    )

    ingest(running)

    run = TaskRun.objects.get()
    assert (str(run.pk), run.state_type) == (created["id"], "RUNNING")
    assert (run.task_key, run.dynamic_key) == ("other-key", "9")  # the keys it was found by
    assert TaskRunState.objects.filter(task_run=run).count() == 2


def test_events_without_the_client_orchestration_label_record_nothing(flow_run):
    event = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, occurred=T0
    )
    del event["resource"]["prefect.orchestration"]

    ingest(event)

    assert Event.objects.filter(pk=event["id"]).exists()
    assert not TaskRun.objects.exists()


def test_the_name_test_is_a_plain_prefix(flow_run):
    event = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, occurred=T0
    )
    event["event"] = "prefect.task-run-custom"
    ingest(event)
    assert TaskRun.objects.count() == 1


def _broken(flow_run, change) -> dict:
    event = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, occurred=T0
    )
    change(event)
    return event


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda e: e["payload"].pop("task_run"), "payload.task_run is missing"),
        (lambda e: e["payload"].pop("validated_state"), "payload.validated_state is missing"),
        (lambda e: e["payload"].update(task_run=None), "payload.task_run is missing"),
        (
            lambda e: e["resource"].update({"prefect.resource.id": "prefect.task-run.nope"}),
            "is not prefect.task-run.<uuid>",
        ),
        (
            lambda e: e["related"][1].update({"prefect.resource.id": "prefect.flow-run.x"}),
            "is not prefect.flow-run.<uuid>",
        ),
        (
            lambda e: e["payload"]["task_run"].pop("task_key"),
            "needs task_key and dynamic_key",
        ),
        (
            lambda e: e["payload"]["task_run"].update(run_count="many"),
            "payload.task_run.run_count",
        ),
        (
            lambda e: e["payload"]["validated_state"].update(type="SLEEPING"),
            "payload.validated_state.type",
        ),
        (
            lambda e: e["payload"]["validated_state"].update(
                state_details={"flow_run_id": "not-a-uuid"}
            ),
            "payload.validated_state.state_details",
        ),
    ],
)
def test_events_the_recorder_cannot_read_are_skipped_with_a_warning(
    flow_run, caplog, change, reason
):
    event = _broken(flow_run, change)
    good = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, occurred=T0, task_key="b"
    )

    with caplog.at_level(logging.WARNING, logger="events.recorder"):
        stored = ingest(event, good)

    assert [e["id"] for e in stored] == [event["id"], good["id"]]
    assert list(TaskRun.objects.values_list("task_key", flat=True)) == ["b"]
    (record,) = [r for r in caplog.records if r.name == "events.recorder"]
    assert record.levelno == logging.WARNING
    assert event["id"] in record.getMessage() and reason in record.getMessage()
